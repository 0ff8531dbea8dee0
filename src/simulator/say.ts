/**
 * `npm run say -- [--as <staffId>] [--group <conversationId>] [--sim <baseUrl>] [--timeout <ms>] "text"`:
 * say something to the bot through a running simulator and print what it answers.
 */
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/** Parsed `say` arguments, or why they are unusable. */
export type SayArgs =
  | { kind: 'say'; text: string; as?: string; group?: string; sim?: string; timeoutMs: number }
  | { kind: 'help' }
  | { kind: 'error'; error: string }

/** Usage line printed on errors and `--help`. */
export const SAY_USAGE =
  'usage: say [--as <staffId>] [--group <conversationId>] [--sim <baseUrl>] [--timeout <ms>] "text"'

const FLAGS = { '--as': 'as', '--group': 'group', '--sim': 'sim', '--timeout': 'timeout' } as const

/**
 * Parse `say` arguments (without `node` and the script); pure, for tests.
 * The other words are joined, so quoting the text is optional; `--` ends the options.
 * @example
 * parseSayArgs(['--as', 'ops1', '/status']) // { kind: 'say', as: 'ops1', text: '/status', timeoutMs: 30000 }
 */
export function parseSayArgs(argv: readonly string[]): SayArgs {
  const opts: Partial<Record<(typeof FLAGS)[keyof typeof FLAGS], string>> = {}
  const words: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-h' || a === '--help') return { kind: 'help' }
    if (a === '--') {
      words.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const [flag, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined]
      const key = FLAGS[flag as keyof typeof FLAGS]
      if (!key) return { kind: 'error', error: `unknown option ${flag} (quote the text, or put it after --)` }
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') return { kind: 'error', error: `${flag} needs a value` }
      opts[key] = value
      continue
    }
    words.push(a)
  }
  const text = words.join(' ')
  if (text.trim() === '') return { kind: 'error', error: 'nothing to say' }
  const timeoutMs = opts.timeout === undefined ? 30_000 : Number(opts.timeout)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    return { kind: 'error', error: '--timeout must be a positive integer (ms)' }
  return { kind: 'say', text, as: opts.as, group: opts.group, sim: opts.sim, timeoutMs }
}

/**
 * Where the simulator is: `--sim`, else `SIM_URL`, else `./data/simulator.json` (written by the router in
 * simulator mode), else the default dev port.
 * @example
 * resolveSimUrl(undefined, {}, () => undefined) // 'http://127.0.0.1:8090'
 */
export function resolveSimUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  readState: () => string | undefined = readStateFile,
): string {
  const fromFile = (): string | undefined => {
    try {
      const v: unknown = JSON.parse(readState() ?? 'null')
      const url = typeof v === 'object' && v !== null ? (v as { baseUrl?: unknown }).baseUrl : undefined
      return typeof url === 'string' && url !== '' ? url : undefined
    } catch {
      return undefined
    }
  }
  return (flag ?? (env.SIM_URL || undefined) ?? fromFile() ?? 'http://127.0.0.1:8090').replace(/\/+$/, '')
}

function readStateFile(): string | undefined {
  try {
    return readFileSync('data/simulator.json', 'utf8')
  } catch {
    return undefined
  }
}

interface ReplyOut {
  text: string
}

async function main(): Promise<number> {
  const args = parseSayArgs(process.argv.slice(2))
  if (args.kind === 'help') return (console.log(SAY_USAGE), 0)
  if (args.kind === 'error') return (console.error(`say: ${args.error}\n${SAY_USAGE}`), 2)
  const base = resolveSimUrl(args.sim, process.env)
  try {
    const post = await fetch(`${base}/sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: args.text, senderStaffId: args.as, conversationId: args.group }),
    })
    const sent = (await post.json()) as { msgId?: string; error?: string }
    if (!post.ok || !sent.msgId)
      return (console.error(`say: the simulator refused the message: ${sent.error ?? post.status}`), 1)
    const got = await fetch(`${base}/sim/replies?msgId=${encodeURIComponent(sent.msgId)}&timeoutMs=${args.timeoutMs}`)
    const { replies } = (await got.json()) as { replies?: ReplyOut[] }
    if (!replies || replies.length === 0) {
      return (
        console.error(`say: no reply within ${args.timeoutMs / 1000} s (is the bot connected? see ${base}/sim/state)`),
        1
      )
    }
    console.log(replies.map((r) => r.text).join('\n\n'))
    return 0
  } catch (err) {
    console.error(
      `say: cannot reach the simulator at ${base}: is \`npm start\` running? (${err instanceof Error ? err.message : String(err)})`,
    )
    return 1
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main().then((code) => {
    process.exitCode = code
  })
}
