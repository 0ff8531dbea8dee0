import { execFile } from 'node:child_process'
import { userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { openStores } from '../../src/store/open.js'
import type { CliIo } from '../../src/cli/command.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const ENTRY = join(ROOT, 'src/cli/routerctl.ts')
const BIN = join(ROOT, 'bin/routerctl.mjs')

/** The OS account the tests run as: what routerctl records as osUser, whatever the variables say. */
export const ME = userInfo().username

/** The actor routerctl records under `SUDO_USER=<name>`: the real account, with the sudo claim beside it. */
export const sudoActor = (name: string) => `${ME} (sudo: ${name})`

/** `text` as a literal part of a RegExp. */
export const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The audit key every CLI test database is made with. */
export const CLI_KEY = 'cli-test-audit-key-5e4d3c2b1a'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the real routerctl in its own process: through tsx on the TypeScript entry (from the project
 * root), or through the installed bin (from any `cwd`). Asynchronous, so a bot in this process keeps running.
 * @example const r = await routerctl(['audit', 'verify'], cliEnv(dir)); expect(r.code).toBe(0)
 */
export function routerctl(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { via?: 'tsx' | 'bin'; cwd?: string } = {},
): Promise<CliRun> {
  const argv = opts.via === 'bin' ? [BIN, ...args] : ['--import', 'tsx', ENTRY, ...args]
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, argv, { env, cwd: opts.cwd ?? ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0
      if (code === undefined) return reject(new Error(`routerctl did not exit normally: ${err?.message}\n${stderr}`))
      resolvePromise({ code, stdout, stderr })
    })
  })
}

/**
 * The parent environment without any router or DingTalk settings (so the developer's own never leak in),
 * plus ROUTER_DB in `dir` and the test audit key.
 * @example cliEnv(dir, { SUDO_USER: 'carol' })
 */
export function cliEnv(dir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ROUTER_|DINGTALK_|SUDO_USER$|LOG_LEVEL$)/.test(k)) env[k] = v
  }
  Object.assign(env, { ROUTER_DB: join(dir, 'router.db'), ROUTER_AUDIT_KEY: CLI_KEY }, extra)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

/**
 * A database as the bot leaves it: migrated, with `entries` audit entries in the chain, keyed with
 * CLI_KEY, or (`keyFile: true`) with the key the bot generates into audit.key beside the database.
 * @example const dir = tempDir(); seedDatabase(dir, 3)
 */
export function seedDatabase(dir: string, entries = 1, opts: { keyFile?: boolean } = {}): string {
  const dbPath = join(dir, 'router.db')
  const opened = openStores({ db: dbPath, auditKey: opts.keyFile ? undefined : CLI_KEY })
  for (let i = 0; i < entries; i++) {
    opened.stores.audit.append({
      actor: 'router',
      channel: 'system',
      action: 'start',
      args: { n: i },
      outcome: 'executed',
    })
  }
  opened.db.close()
  return dbPath
}

/**
 * Opens the stores of a test database (keyed with CLI_KEY), hands them to `read`, and closes it again:
 * what the database holds after a routerctl run, read the way the bot would.
 * @example const last = readStores(dbPath, (o) => [...o.stores.audit.entries()].at(-1))
 */
export function readStores<T>(dbPath: string, read: (opened: ReturnType<typeof openStores>) => T): T {
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  try {
    return read(opened)
  } finally {
    opened.db.close()
  }
}

/** A second, plain connection: what an operator (or an attacker) with file access can do. */
export function rawDb(dbPath: string): Database.Database {
  return new Database(dbPath)
}

/** The real main()'s I/O, captured in memory, for in-process runs (no mocks: real SQLite, real commands). */
export function captureIo(
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
): CliIo & { stdout(): string; stderr(): string } {
  const out: string[] = []
  const err: string[] = []
  return {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    env,
    now,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  }
}
