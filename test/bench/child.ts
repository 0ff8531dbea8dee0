import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildMemory, ChildMessage } from './ipc.js'

/** Linux reports CPU times in clock ticks; 100 per second on every common kernel configuration. */
const CLOCK_TICKS = 100

const HERE = fileURLToPath(new URL('.', import.meta.url))
export const ROUTER_ENTRY = join(HERE, 'router-entry.ts')
export const BARE_ENTRY = join(HERE, 'bare-entry.ts')
export const FLOOR_ENTRY = join(HERE, 'floor-entry.ts')
/** How production starts node (the image's CMD and `npm run start:prod`): the router child starts through it. */
export const ROUTER_LAUNCHER = join(HERE, '../../bin/router-node.sh')

export interface ChildOptions {
  /** Names the CPU profiles: `<label>-main.cpuprofile`. */
  label: string
  entry: string
  env: Record<string, string>
  /** stdout and stderr of the child go here (the router logs at warn, so this stays small). */
  logFile: string
  /** Folder for `--cpu-prof` output; no profiling when unset. */
  cpuProfDir?: string
  /** More node flags, for investigations (e.g. `--heapsnapshot-signal=SIGUSR2`). */
  nodeArgs?: string[]
  /** Starts node through this script (which adds its own flags) instead of `process.execPath`. */
  launcher?: string
  startTimeoutMs?: number
}

/**
 * A system under test in its own process: `node <entry>.js` or `node --import tsx <entry>.ts`, with an IPC channel for
 * readiness, memory probes and a clean stop.
 * @example const sut = await startChild({ entry: ROUTER_ENTRY, env, logFile }); await sut.stop()
 */
export class SutChild {
  private pendingMemory: Array<(m: ChildMemory) => void> = []

  private constructor(
    readonly proc: ChildProcess,
    readonly pid: number,
    readonly httpPort: number | undefined,
    private readonly opts: ChildOptions,
  ) {
    proc.on('message', (m: ChildMessage) => {
      if (m.type === 'memory') for (const w of this.pendingMemory.splice(0)) w(m.memory)
    })
  }

  static async start(opts: ChildOptions): Promise<SutChild> {
    const fd = openSync(opts.logFile, 'a')
    // A compiled entry (the production build) runs with plain node, as `npm run start:prod` does; the router
    // child starts through the same launcher as production, so it gets production's node flags.
    const execArgs = opts.entry.endsWith('.js') ? [] : ['--import', 'tsx']
    if (opts.cpuProfDir) execArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`)
    execArgs.push(...(opts.nodeArgs ?? []))
    const proc = spawn(opts.launcher ?? process.execPath, [...execArgs, opts.entry], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd, 'ipc'],
    })
    closeSync(fd)
    const timeoutMs = opts.startTimeoutMs ?? 30_000
    const ready = await new Promise<{ pid: number; httpPort?: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`child ${opts.entry} not ready within ${timeoutMs} ms; see ${opts.logFile}`)),
        timeoutMs,
      )
      const fail = (err: Error) => {
        clearTimeout(timer)
        proc.kill('SIGKILL')
        reject(err)
      }
      proc.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer)
          resolve(m)
        } else if (m.type === 'error') fail(new Error(`child failed to start: ${m.message}; see ${opts.logFile}`))
      })
      proc.once('exit', (code) => fail(new Error(`child exited with ${code} before it was ready; see ${opts.logFile}`)))
    })
    return new SutChild(proc, ready.pid, ready.httpPort, opts)
  }

  /** The child's command line from /proc (after a launcher's `exec`, the node flags it really runs with). */
  commandLine(): string {
    return readFileSync(`/proc/${this.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  }

  /** VmRSS from /proc/<pid>/status, in bytes: what the kernel charges the process, read from outside. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    if (!kb) throw new Error(`no VmRSS in /proc/${this.pid}/status`)
    return Number(kb[1]) * 1024
  }

  /**
   * CPU time the child has used so far (user + system, all threads), in seconds, from /proc/<pid>/stat.
   * Unlike wall-clock rates it hardly depends on what else the machine runs, so it is the steadier
   * figure on a shared host.
   */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start at index 3 = state; utime is 14th field.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  }

  /**
   * Waits until the child is idle (under `share` of a core over 250 ms), at most `maxMs`: so a round does
   * not start while the previous one's stragglers, timers or GC still run.
   */
  async waitIdle(maxMs = 10_000, share = 0.1): Promise<void> {
    const until = Date.now() + maxMs
    while (Date.now() < until) {
      const c0 = this.cpuSeconds()
      await new Promise((resolve) => setTimeout(resolve, 250))
      if (this.cpuSeconds() - c0 < share * 0.25) return
    }
  }

  /** process.memoryUsage() inside the child (heap vs native), to explain an RSS figure. */
  memory(opts: { gc?: boolean } = {}, timeoutMs = 5000): Promise<ChildMemory | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs)
      this.pendingMemory.push((m) => {
        clearTimeout(timer)
        resolve(m)
      })
      this.proc.send({ type: 'memory', gc: opts.gc })
    })
  }

  /** Asks the child to stop cleanly (so a CPU profile gets written); kills it after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()))
    try {
      this.proc.send({ type: 'stop' })
    } catch {
      this.proc.kill('SIGKILL')
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
    this.nameProfiles()
  }

  get logFile(): string {
    return this.opts.logFile
  }

  get label(): string {
    return this.opts.label
  }

  /**
   * What the child logged, counted by level and message (first 20 MB of the log): at LOG_LEVEL=warn
   * every line is a problem worth a look, such as replies that could not be delivered.
   */
  logSummary(): Record<string, number> {
    const counts: Record<string, number> = {}
    let text: string
    try {
      text = readFileSync(this.opts.logFile, 'utf8').slice(0, 20 * 1024 * 1024)
    } catch {
      return counts
    }
    for (const line of text.split('\n')) {
      if (!line) continue
      let key: string
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string; err?: string }
        key = `${j.level ?? '?'} ${j.msg ?? ''}${j.err ? ` (${String(j.err).slice(0, 80)})` : ''}`
      } catch {
        key = `text: ${line.slice(0, 100)}`
      }
      counts[key] = (counts[key] ?? 0) + 1
    }
    return counts
  }

  // node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread,
  // the others are tsx's loader thread. Give them names that say which child they came from.
  private nameProfiles(): void {
    const dir = this.opts.cpuProfDir
    if (!dir) return
    for (const f of readdirSync(dir)) {
      const m = new RegExp(`^CPU\\.\\d+\\.\\d+\\.${this.pid}\\.(\\d+)\\.\\d+\\.cpuprofile$`).exec(f)
      if (m)
        renameSync(join(dir, f), join(dir, `${this.opts.label}-${m[1] === '0' ? 'main' : `thread${m[1]}`}.cpuprofile`))
    }
  }
}
