import { connect as tcpConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { SkillDefinition } from '../define.js'
import { splitDestination } from '../egress/destination.js'

/** One declared egress destination and whether it answered a connect. */
export interface ProbeResult {
  destination: string
  /** The skills that declare it. */
  skills: string[]
  ok: boolean
  /** `tcp` or `tls` (port 443: the handshake, certificate included, must complete). */
  kind: 'tcp' | 'tls'
  ms: number
  detail?: string
}

/**
 * Connects to `host:port` once: TCP, or TLS for :443 (or when `tls` says so). Never throws; a refusal,
 * a DNS failure, a bad certificate and the timeout are all results.
 * @example await probeDestination('status.internal.example:443', 2000) // { ok: true, kind: 'tls', ms: 41, ... }
 */
export function probeDestination(
  destination: string,
  timeoutMs = 2000,
  opts: { tls?: boolean } = {},
): Promise<Omit<ProbeResult, 'skills'>> {
  const parts = splitDestination(destination)
  const port = parts?.port ?? 0
  // Sockets take an IPv6 address without the brackets a destination carries.
  const host = parts?.host.replace(/^\[(.*)\]$/, '$1') ?? ''
  const kind = (opts.tls ?? port === 443) ? 'tls' : 'tcp'
  const started = Date.now()
  if (!parts) return Promise.resolve({ destination, ok: false, kind, ms: 0, detail: 'not a host:port destination' })
  return new Promise((resolve) => {
    let done = false
    let socket: Socket | undefined
    const finish = (ok: boolean, detail?: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket?.destroy()
      resolve({ destination, ok, kind, ms: Date.now() - started, detail })
    }
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs)
    try {
      socket =
        kind === 'tls'
          ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host }, () => finish(true))
          : tcpConnect({ host, port }, () => finish(true))
      socket.once('error', (err: NodeJS.ErrnoException) => finish(false, err.code ?? err.message))
    } catch (err) {
      finish(false, (err as Error).message)
    }
  })
}

/**
 * Probes every destination any skill declares, each once, all in parallel.
 * @example await probeEgress(services.skills.skills) // [{ destination: '…:443', skills: ['service-status'], ok: true, … }]
 */
export async function probeEgress(
  skills: readonly SkillDefinition<unknown>[],
  timeoutMs = 2000,
): Promise<ProbeResult[]> {
  const bySkill = new Map<string, string[]>()
  for (const s of skills) for (const d of s.egress ?? []) bySkill.set(d, [...(bySkill.get(d) ?? []), s.name])
  return Promise.all(
    [...bySkill].map(async ([d, names]) => ({ ...(await probeDestination(d, timeoutMs)), skills: names })),
  )
}
