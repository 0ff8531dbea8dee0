import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { mkdirSync, openSync, writeFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join, resolve } from 'node:path'
import { tempDir } from '../helpers/temp-dir.js'

/** The project root and the suite's own scripts. */
export const ROOT = resolve(import.meta.dirname, '../..')
const ENGINE = join(ROOT, 'test/container/engine')

/** Where the suite's registry listens: loopback only. */
export const REGISTRY = '127.0.0.1:5000'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** The engine's environment for every command: the `docker` shim first on PATH, podman's socket as DOCKER_HOST. */
export const engineEnv: Record<string, string> = {}

/** Runs a command to completion (never throws on a non-zero exit); `input` goes to its stdin. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, ...engineEnv, ...opts.env },
        timeout: opts.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 128) : 0
        done({ code, stdout: String(stdout), stderr: String(stderr) })
      },
    )
    child.stdin?.end(opts.input ?? '')
  })
}

/** Like run, but a non-zero exit is an error carrying both streams. */
export async function must(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stderr.slice(-4000)}`)
  return r.stdout
}

/** A shell line, as an operator types it in the deployment folder. */
export function shell(line: string, cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return run('bash', ['-c', line], { cwd, env })
}

/** The host's first non-loopback IPv4 address: containers on a bridge network reach the host there. */
export function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? [])
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.88.')) return a.address
  }
  throw new Error('no non-loopback IPv4 address on this host')
}

/** A long-running child (podman's API service, the registry), stopped with SIGTERM. */
export class Daemon {
  private child?: ChildProcess
  constructor(
    private readonly cmd: string,
    private readonly args: string[],
    private readonly log: string,
  ) {}

  async start(ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const out = openSync(this.log, 'a')
    this.child = spawn(this.cmd, this.args, { stdio: ['ignore', out, out], env: { ...process.env, ...engineEnv } })
    const deadline = Date.now() + timeoutMs
    while (!(await ready())) {
      if (this.child.exitCode !== null) throw new Error(`${this.cmd} exited ${this.child.exitCode}; see ${this.log}`)
      if (Date.now() > deadline) throw new Error(`${this.cmd} not answering after ${timeoutMs} ms; see ${this.log}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  /** Freezes it (connections hang, as with a stalled registry) or lets it go on. */
  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(sig)
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

/** True when something answers HTTP at the URL (any status). */
export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) })
    return true
  } catch {
    return false
  }
}

/** podman's Docker-compatible API on a private socket, for docker-compose; and the `docker` shim on PATH. */
export async function startEngine(state: string): Promise<Daemon> {
  const socket = join(state, 'podman.sock')
  engineEnv.PATH = `${ENGINE}:${process.env.PATH}`
  engineEnv.DOCKER_HOST = `unix://${socket}`
  const service = new Daemon('podman', ['system', 'service', '--time=0', `unix://${socket}`], join(state, 'podman.log'))
  await service.start(() => pingSocket(socket))
  return service
}

function pingSocket(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume()
      done(res.statusCode === 200)
    })
    req.on('error', () => done(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** Debian's docker-registry on 127.0.0.1:5000 with its storage under `state`. */
export function registry(state: string): Daemon {
  const dir = join(state, 'registry')
  mkdirSync(dir, { recursive: true })
  const config = join(dir, 'config.yml')
  writeFileSync(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\n  delete:\n    enabled: true\nhttp:\n  addr: ${REGISTRY}\n`,
  )
  return new Daemon('docker-registry', ['serve', config], join(dir, 'registry.log'))
}

export const registryUp = () => answers(`http://${REGISTRY}/v2/`)

/** A scratch folder for the suite's engine state (socket, logs, registry storage). */
export function stateDir(): string {
  return tempDir('router-containers-')
}
