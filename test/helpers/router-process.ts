/**
 * The real entry point (`node --import tsx src/main.ts`, or the production build) as a child process,
 * configured by its environment only (for instance pointed at a simulator the test runs in-process).
 * Nothing is added to the router: it is exactly what `npm start` runs, so SIGKILL tests kill the real thing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import { simulatorEnv } from '../../src/simulator/router-env.js'
import { LOG_DIR } from './log-capture.js'
import { PATIENCE } from './patience.js'
import { OP1, OP2, OPS, TEST_SECRETS } from './router.js'
import { waitForEvent } from './waits.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Ports 0: never clash with a developer's running router or with parallel tests. */
export const SIM_YAML = 'simulator:\n  port: 0\n  chatPort: 0\n'

/** A YAML file with burst-friendly settings (no rate limiting, fast reconnects), and the environment naming it. */
export function routerEnv(
  sim: DingTalkSimulator,
  dir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const file = join(dir, 'router.yaml')
  writeFileSync(
    file,
    [
      'dingtalk:',
      '  reconnectBaseMs: 50',
      '  reconnectMaxMs: 400',
      '  livenessIntervalMs: 2000',
      'limits:',
      '  perUserPerMinute: 10000',
      '  perConversationPerMinute: 100000',
      '',
    ].join('\n'),
  )
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    ROUTER_CONFIG: file,
    ...simulatorEnv(sim),
    ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name}`,
    ROUTER_ADMIN_CONVERSATIONS: OPS,
    ROUTER_DB: join(dir, 'router.db'),
    ROUTER_HTTP_PORT: '0',
    ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
    LOG_LEVEL: 'info',
    ...extra,
  }
}

export interface RouterProcess {
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Every stdout line so far, as written. */
  stdout: string[]
  /** Parsed JSON log lines from stdout so far (a line that is not JSON: `{ msg, unparsed: true }`). */
  records(): Record<string, unknown>[]
  stderr(): string
  /** Resolves with the first log record for which `match` holds (already logged or still to come). */
  waitForRecord(match: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Sends SIGKILL (if still running) and resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Spawns src/main.ts with exactly `env` (and, with `umask`, that file-creation mask). Its stdout (JSON log
 * lines) is appended to the suite's log folder, so the suite-wide secret scan covers spawned routers too.
 * @example const p = spawnRouter(routerEnv(sim, dir)); await p.kill('SIGKILL')
 */
export function spawnRouter(
  env: Record<string, string>,
  opts: { entry?: 'source' | 'build'; umask?: string } = {},
): RouterProcess {
  // `build` is the production build exactly as `npm run start:prod` and the image run it: plain node, no loader,
  // through the launcher that adds production's node flags.
  const entry =
    opts.entry === 'build'
      ? ['bin/router-node.sh', 'dist/src/main.js']
      : [process.execPath, '--import', 'tsx', 'src/main.ts']
  // `umask` is a shell builtin: a shell sets it, then exec replaces the shell with node (same pid, signals reach it).
  const [command, ...argv] = opts.umask ? ['/bin/sh', '-c', `umask ${opts.umask} && exec "$@"`, 'sh', ...entry] : entry
  const child = spawn(command!, argv, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  mkdirSync(LOG_DIR, { recursive: true })
  const logFile = join(LOG_DIR, `spawned-${process.pid}-${child.pid ?? 'x'}.jsonl`)
  let stderr = ''
  let partial = ''
  const stdout: string[] = []
  const records: Record<string, unknown>[] = []
  const logged = new EventEmitter()
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts.filter(Boolean)) {
      stdout.push(line)
      try {
        records.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        records.push({ msg: line, unparsed: true })
      }
    }
    logged.emit('record')
    try {
      appendFileSync(logFile, chunk)
    } catch {
      // Another vitest run in this checkout may have emptied the folder; losing a chunk costs only the scan.
      mkdirSync(LOG_DIR, { recursive: true })
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // `close`, not `exit`: by then every stdout line has been read.
    child.on('close', (code, signal) => {
      resolve({ code, signal })
      logged.emit('record')
    })
  })
  return {
    child,
    exited,
    stdout,
    records: () => records,
    stderr: () => stderr,
    async waitForRecord(match, timeoutMs = PATIENCE) {
      const exitedEarly = () => child.exitCode !== null || child.signalCode !== null
      await waitForEvent(
        logged,
        'record',
        () => records.some(match) || exitedEarly(),
        timeoutMs,
        () => stderr.slice(-2000),
      )
      const hit = records.find(match)
      if (!hit) throw new Error(`router exited before the awaited log line; stderr: ${stderr.slice(-2000)}`)
      return hit
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/**
 * Starts the real entry point the way `npm start` does, with only the given environment (plus PATH, HOME
 * and TMPDIR), and kills it when the test ends.
 * @example const p = startMain({ ROUTER_CONFIG: file }, onTestFinished); await within(p.exited, 'exit')
 */
export function startMain(
  env: Record<string, string>,
  onFinished: (fn: () => void) => void,
  opts: { umask?: string } = {},
): RouterProcess {
  const p = spawnRouter(
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp', ...env },
    opts,
  )
  onFinished(() => void p.kill())
  return p
}
