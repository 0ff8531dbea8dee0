import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Each spawn compiles the app with tsx: on a loaded 2-core machine that alone can take tens of seconds. */
const BOUND_MS = 100_000
/** Ports 0: never clash with a developer's running router or with parallel tests. */
export const SIM_YAML = 'simulator:\n  port: 0\n  chatPort: 0\n'

export interface Spawned {
  child: ChildProcess
  stdout: string[]
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The first JSON log line on stdout matching `predicate`. */
  line(predicate: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
}

/** Starts the real entry point the way `npm start` does, with only the given environment (and umask). */
export function startMain(
  env: Record<string, string>,
  onFinished: (fn: () => void) => void,
  opts: { umask?: string } = {},
): Spawned {
  const node = [process.execPath, '--import', 'tsx', 'src/main.ts']
  // `umask` is a shell builtin: a shell sets it, then exec replaces the shell with node (same pid, signals reach it).
  const [command, ...args] = opts.umask ? ['/bin/sh', '-c', `umask ${opts.umask} && exec "$@"`, 'sh', ...node] : node
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  let stderr = ''
  let partial = ''
  const waiters: {
    predicate: (l: Record<string, unknown>) => boolean
    resolve: (l: Record<string, unknown>) => void
  }[] = []
  const parse = (text: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch {
      return undefined
    }
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const text of parts.filter(Boolean)) {
      stdout.push(text)
      const record = parse(text)
      if (record) for (const w of waiters.splice(0)) w.predicate(record) ? w.resolve(record) : waiters.push(w)
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  onFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    child,
    stdout,
    exited,
    stderr: () => stderr,
    line(predicate, timeoutMs = BOUND_MS) {
      const found = stdout.map(parse).find((l) => l && predicate(l))
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching log line within ${timeoutMs} ms; stdout:\n${stdout.join('\n').slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`,
              ),
            ),
          timeoutMs,
        )
        void exited.then(() =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `exited without the line; stdout:\n${stdout.join('\n').slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`,
                ),
              ),
            50,
          ),
        )
        waiters.push({
          predicate,
          resolve: (l) => {
            clearTimeout(timer)
            resolve(l)
          },
        })
      })
    },
  }
}

export async function within<T>(p: Promise<T>, what: string, ms = BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, bound])
  } finally {
    clearTimeout(timer)
  }
}
