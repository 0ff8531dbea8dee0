import { spawn } from 'node:child_process'

/** How a rollback hook ended; `output` is stdout and stderr interleaved, its tail kept when long. */
export interface HookResult {
  ok: boolean
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  output: string
  /** Why it could not run at all (e.g. ENOENT), or why it failed. */
  error?: string
  durationMs: number
}

const KEEP_BYTES = 16 * 1024
/** A hook that exited but left a child holding its output open does not hold up the reply. */
const CLOSE_GRACE_MS = 1000

/**
 * Runs an argv array without a shell, in its own process group, with a hard timeout that kills the whole
 * group (a hanging hook's children too). Never throws: every ending is a HookResult.
 * @example await runHook(['/opt/router/notify-reconciler', 'sha256:…'], { timeoutMs: 60_000 })
 */
export function runHook(
  argv: readonly string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<HookResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    let output = ''
    let timedOut = false
    let settled = false
    let exit: { code: number | null; signal: string | null } | undefined
    const child = spawn(argv[0]!, argv.slice(1), {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env,
      cwd: opts.cwd,
    })
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEEP_BYTES)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const finish = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      child.stdout.destroy()
      child.stderr.destroy()
      const ok = !error && !timedOut && exit?.code === 0
      const why =
        error ??
        (timedOut
          ? `timed out after ${opts.timeoutMs} ms`
          : exit?.code !== 0
            ? `exited ${exit?.code ?? `on ${exit?.signal}`}`
            : undefined)
      resolve({
        ok,
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        output,
        error: ok ? undefined : why,
        durationMs: Date.now() - started,
      })
    }
    let grace: NodeJS.Timeout | undefined
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
      // The group is gone; do not wait for pipes a stuck grandchild might still hold.
      grace = setTimeout(() => finish(), CLOSE_GRACE_MS)
    }, opts.timeoutMs)
    child.once('error', (err) => finish(`could not run ${argv[0]}: ${err.message}`))
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      if (!timedOut) grace = setTimeout(() => finish(), CLOSE_GRACE_MS)
    })
    child.once('close', (code, signal) => {
      exit ??= { code, signal }
      finish()
    })
  })
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/**
 * The hook's argv with `{digest}`, `{previous}` and `{file}` filled in; the digest is appended when no
 * element names it, so the simplest hook (`[/path/to/script]`) still receives it.
 * @example hookArgv(['/bin/hook', '--to', '{digest}'], { digest: 'sha256:a', previous: '', file: '/data/desired-release.json' })
 */
export function hookArgv(
  template: readonly string[],
  values: { digest: string; previous: string; file: string },
): string[] {
  const filled = template.map((a) =>
    a.replaceAll('{digest}', values.digest).replaceAll('{previous}', values.previous).replaceAll('{file}', values.file),
  )
  return template.some((a) => a.includes('{digest}')) ? filled : [...filled, values.digest]
}

/**
 * The tail of a hook's output, small enough for an audit entry.
 * @example tailOf('a\nb\n', 1500) // 'a\nb'
 */
export function tailOf(output: string, max = 1500): string {
  const text = output.trim()
  return text.length > max ? `…${text.slice(-(max - 1))}` : text
}
