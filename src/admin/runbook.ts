import type { RuntimeFacts, Services } from '../context.js'
import type { ReadinessCheck } from '../http/server.js'
import type { ErrorRate } from '../store/usage.js'
import { describeErrorRate } from '../status.js'
import type { Deploy, DesiredRelease } from '../store/releases.js'
import { probeEgress, type ProbeResult } from './runbook-probe.js'
import { ago } from '../time-text.js'

/** The on-call facts: shared by `/runbook` and `routerctl status`. */
export interface RunbookFacts {
  /** Undefined when nobody could ask the running process (routerctl with the bot down). */
  readiness?: ReadinessCheck
  errorRate: ErrorRate
  /** The running digest, or for routerctl the newest recorded deploy. */
  running: { digest: string; version?: string; source: 'process' | 'deploy record' }
  deploy?: Deploy
  lastKnownGood?: Deploy
  /** A release rollback not yet applied. */
  desired?: DesiredRelease
  connectivity: ProbeResult[]
}

type Deps = Pick<Services, 'usage' | 'releases' | 'skills'> & { runtime?: RuntimeFacts }

/**
 * Gathers the runbook facts; the egress probes run in parallel with a short timeout each.
 * @example const facts = await collectRunbook(services, { now: Date.now(), readiness: services.runtime.readiness })
 */
export async function collectRunbook(
  s: Deps,
  opts: {
    now: number
    readiness?: () => ReadinessCheck | undefined | Promise<ReadinessCheck | undefined>
    probeTimeoutMs?: number
  },
): Promise<RunbookFacts> {
  const latest = s.releases.latest()
  const running = s.runtime
    ? { digest: s.runtime.digest, version: s.runtime.version, source: 'process' as const }
    : { digest: latest?.digest ?? 'unknown', version: latest?.version ?? undefined, source: 'deploy record' as const }
  const desired = s.releases.latestDesired()
  const [readiness, connectivity] = await Promise.all([
    (async () => opts.readiness?.())().catch(() => undefined),
    probeEgress(s.skills.skills, opts.probeTimeoutMs ?? 2000),
  ])
  return {
    readiness,
    errorRate: s.usage.errorRate(opts.now, 15),
    running,
    deploy: s.releases.forDigest(running.digest),
    lastKnownGood: s.releases.lastKnownGood(),
    desired: desired && ['pending', 'handed-off'].includes(desired.status) ? desired : undefined,
    connectivity,
  }
}

/**
 * The running bot's readiness over its loopback HTTP listener, for routerctl; undefined when it does not answer.
 * @example await fetchReadiness('http://127.0.0.1:8080/ready')
 */
export async function fetchReadiness(url: string, timeoutMs = 2000): Promise<ReadinessCheck | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await res.json()) as Partial<ReadinessCheck>
    return { ready: res.status === 200 && body.ready === true, checks: body.checks ?? {} }
  } catch {
    return undefined
  }
}

/**
 * One short markdown reply; `plain` drops the markdown for a terminal.
 * @example formatRunbook(await collectRunbook(services, { now }), now)
 */
export function formatRunbook(f: RunbookFacts, now: number, opts: { plain?: boolean } = {}): string {
  const text = markdownRunbook(f, now)
  return opts.plain ? text.replace(/\*\*/g, '').replace(/^### /, '') : text
}

function markdownRunbook(f: RunbookFacts, now: number): string {
  const failing = f.readiness ? Object.entries(f.readiness.checks).filter(([, c]) => !c.ok) : []
  const ready = !f.readiness
    ? 'unknown (the bot process did not answer)'
    : f.readiness.ready
      ? 'yes'
      : `NO: ${failing.map(([name, c]) => `${name}${c.detail ? ` (${c.detail})` : ''}`).join(', ')}`
  const e = f.errorRate
  const deployed = f.deploy
    ? `, deployed ${ago(now - f.deploy.deployedAt)} by ${f.deploy.deployedBy}`
    : ', no deploy event recorded'
  const kg = f.lastKnownGood
  const knownGood = !kg
    ? 'none yet'
    : kg.digest === f.running.digest
      ? `this release, since ${ago(now - kg.knownGoodAt!)}`
      : `${kg.digest}, since ${ago(now - kg.knownGoodAt!)}`
  const reachable = f.connectivity.filter((c) => c.ok).length
  const lines = [
    '### Runbook',
    `- **Ready:** ${ready}`,
    `- **Errors (${e.windowMinutes} min):** ${describeErrorRate(e, 'short')}`,
    `- **Running:** ${f.running.digest}${f.running.version ? ` (v${f.running.version})` : ''}${f.running.source === 'deploy record' ? ' [newest deploy record]' : ''}${deployed}`,
    `- **Last known-good:** ${knownGood}`,
  ]
  if (f.desired)
    lines.push(
      `- **Rollback pending:** #${f.desired.id} → ${f.desired.digest} (${f.desired.status}, asked by ${f.desired.requestedBy} ${ago(now - f.desired.requestedAt)})`,
    )
  if (f.connectivity.length === 0) {
    lines.push('- **Egress:** no skill declares a destination')
  } else {
    lines.push(`- **Egress:** ${reachable}/${f.connectivity.length} reachable`)
    for (const c of f.connectivity) {
      lines.push(
        `  - ${c.ok ? 'ok' : 'FAIL'} ${c.destination} ${c.kind}${c.ok ? ` ${c.ms} ms` : `: ${c.detail ?? 'failed'}`} (${c.skills.join(', ')})`,
      )
    }
  }
  return lines.join('\n')
}
