import type { RouterConfig } from '../config.js'
import type { RuntimeFacts, Services } from '../context.js'
import type { Texts } from '../i18n/catalogue.js'
import type { ReadinessCheck } from '../http/server.js'
import type { ErrorRate } from '../store/usage.js'
import { describeErrorRate } from '../status.js'
import type { Deploy, DesiredRelease } from '../store/releases.js'
import { readHostResult, type HostResult, type UnreadableHostResult } from './rollback-release.js'
import { probeEgress, type ProbeResult } from './runbook-probe.js'

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
  /** What the host-side reconciler reported for that request (data/reconcile-result.json), when it did. */
  host?: HostResult | UnreadableHostResult
  connectivity: ProbeResult[]
}

/** `config.db` locates the data folder, where the reconciler leaves its report; without it none is read. */
type Deps = Pick<Services, 'usage' | 'releases' | 'skills'> & {
  runtime?: RuntimeFacts
  config?: Pick<RouterConfig, 'db'>
}

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
  const latestDesired = s.releases.latestDesired()
  const desired = latestDesired && ['pending', 'handed-off'].includes(latestDesired.status) ? latestDesired : undefined
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
    desired,
    host: desired && s.config ? hostResultFor(desired, s.config.db) : undefined,
    connectivity,
  }
}

/** The reconciler's report about this request; one about another request says nothing about it. */
function hostResultFor(desired: DesiredRelease, db: string): HostResult | UnreadableHostResult | undefined {
  const result = readHostResult(db)
  return result && 'unreadable' in result ? result : result?.id === desired.id ? result : undefined
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
 * One short markdown reply in `texts` (routerctl passes English); `plain` drops the markdown for a terminal.
 * @example formatRunbook(await collectRunbook(services, { now }), now, textsFor('en'))
 */
export function formatRunbook(f: RunbookFacts, now: number, texts: Texts, opts: { plain?: boolean } = {}): string {
  const text = markdownRunbook(f, now, texts)
  return opts.plain ? text.replace(/\*\*/g, '').replace(/^### /, '') : text
}

function markdownRunbook(f: RunbookFacts, now: number, texts: Texts): string {
  const t = texts.runbook
  const ago = (at: number) => texts.time.ago(Math.max(0, now - at))
  const failing = f.readiness ? Object.entries(f.readiness.checks).filter(([, c]) => !c.ok) : []
  const ready = !f.readiness
    ? t.readyUnknown
    : f.readiness.ready
      ? t.readyYes
      : t.readyNo(failing.map(([name, c]) => `${name}${c.detail ? ` (${c.detail})` : ''}`).join(', '))
  const e = f.errorRate
  const deployed = f.deploy ? t.deployed(ago(f.deploy.deployedAt), f.deploy.deployedBy) : t.noDeploy
  const kg = f.lastKnownGood
  const knownGood = !kg
    ? t.noneYet
    : kg.digest === f.running.digest
      ? t.thisRelease(ago(kg.knownGoodAt!))
      : t.otherRelease(kg.digest, ago(kg.knownGoodAt!))
  const reachable = f.connectivity.filter((c) => c.ok).length
  const lines = [
    t.heading,
    t.ready(ready),
    t.errors(e.windowMinutes, describeErrorRate(e, 'short', texts)),
    t.running(f.running.digest, f.running.version ?? '', f.running.source === 'deploy record', deployed),
    t.knownGood(knownGood),
  ]
  if (f.desired) lines.push(rollbackLine(f.desired, f.host, ago, t))
  if (f.connectivity.length === 0) {
    lines.push(t.noEgress)
  } else {
    lines.push(t.egress(reachable, f.connectivity.length))
    // `ok`/`FAIL` and the probe's own detail are data: the same words a script greps for in routerctl status.
    for (const c of f.connectivity) {
      lines.push(
        `  - ${c.ok ? 'ok' : 'FAIL'} ${c.destination} ${c.kind}${c.ok ? ` ${c.ms} ms` : `: ${c.detail ?? t.probeFailed}`} (${c.skills.join(', ')})`,
      )
    }
  }
  return lines.join('\n')
}

/** The request's line: FAILED when the host said so, else pending with what the host last reported. */
function rollbackLine(
  d: DesiredRelease,
  host: RunbookFacts['host'],
  ago: (at: number) => string,
  t: Texts['runbook'],
): string {
  const asked = ago(d.requestedAt)
  if (host && 'unreadable' in host)
    return `${t.rollbackPending(d.id, d.digest, d.status, d.requestedBy, asked)}${t.hostUnreadable(host.unreadable)}`
  const when = host?.at === undefined ? '' : ago(host.at)
  if (host?.outcome === 'failed') return t.rollbackFailed(d.id, d.digest, host.detail, when, d.requestedBy, asked)
  const note = host ? t.hostSaid(host.outcome, host.detail, when) : ''
  return `${t.rollbackPending(d.id, d.digest, d.status, d.requestedBy, asked)}${note}`
}
