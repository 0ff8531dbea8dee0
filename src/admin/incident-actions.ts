import type { RouterConfig } from '../config.js'
import type { Services } from '../context.js'
import type { SkillDefinition } from '../define.js'
import { formatDuration, parseDuration } from '../duration.js'
import { UserError } from '../errors.js'
import type { IncidentState } from '../store/state.js'

type Deps = Pick<Services, 'state' | 'config' | 'now'>

/**
 * What one incident-mode call did; `changed` is false when the state already was as asked.
 * @example if (change.changed) outbox.add(incidentNotice(change, now, 'cli'), now)
 */
export interface IncidentChange {
  changed: boolean
  before: IncidentState
  after: IncidentState
  /** The runtime-state version after the call. */
  version: number
}

/**
 * The request to setIncident: on (with an optional reason and ttl) or off, and who asks.
 * @example const input: SetIncidentInput = { on: false, actor: 'bob' }
 */
export interface SetIncidentInput {
  on: boolean
  reason?: string
  /** How long it stays on; only for `on`, default `incident.defaultTtl`. */
  ttlMs?: number
  actor: string
}

// The expiry job runs once a minute, so a shorter ttl could not be honoured.
const MIN_TTL_MS = 60_000

/**
 * Reads an operator's ttl (`30m`, `4h`) or the configured default, refusing what the expiry cannot honour.
 * @example incidentTtl(config, '2h') // 7200000
 */
export function incidentTtl(config: Pick<RouterConfig, 'incident'>, text?: string): number {
  if (text === undefined) return parseDuration(config.incident.defaultTtl) ?? 4 * 3_600_000
  const ms = parseDuration(text)
  if (ms === undefined)
    throw new UserError(`ttl=${text.slice(0, 20)} is not a duration; use e.g. 30m, 4h or 1d.`, 'bad_ttl')
  checkTtl(config, ms)
  return ms
}

function checkTtl(config: Pick<RouterConfig, 'incident'>, ms: number): void {
  const max = parseDuration(config.incident.maxTtl) ?? 86_400_000
  if (ms < MIN_TTL_MS) throw new UserError('ttl must be at least 1m: expiry is checked once a minute.', 'bad_ttl')
  if (ms > max) {
    throw new UserError(
      `ttl=${formatDuration(ms)} is longer than the allowed ${config.incident.maxTtl} (incident.maxTtl). Turn it on again when it runs out.`,
      'bad_ttl',
    )
  }
}

/**
 * Turns incident mode on (or extends it) or off in the runtime state. Shared by `/incident` and routerctl so
 * both channels have exactly the same effect; the caller audits and announces (see incidentNotice).
 * @example const change = setIncident(services, { on: true, reason: 'db failover', ttlMs: 2 * 3_600_000, actor: 'alice' })
 */
export function setIncident(s: Deps, input: SetIncidentInput): IncidentChange {
  const now = s.now()
  const ttlMs = input.on ? (input.ttlMs ?? incidentTtl(s.config)) : undefined
  if (ttlMs !== undefined) checkTtl(s.config, ttlMs)
  const reason = input.reason?.trim().slice(0, 200) || undefined
  let before: IncidentState = { on: false }
  const after = s.state.update(input.actor, reason ?? (input.on ? 'incident on' : 'incident off'), (draft) => {
    before = draft.incident
    // An incident past its ttl that the job has not swept yet counts as over: `on` starts a new one.
    const active = isIncidentActive(before, now)
    if (input.on) {
      // Extending keeps the original start, so /status still shows when the incident began.
      draft.incident = {
        on: true,
        reason: reason ?? (active ? before.reason : undefined),
        by: input.actor,
        since: active ? before.since : now,
        expiresAt: now + ttlMs!,
      }
    } else if (before.on) {
      draft.incident = { on: false, reason, by: input.actor, since: now }
    }
  })
  const changed = JSON.stringify(before) !== JSON.stringify(after.state.incident)
  return { changed, before, after: after.state.incident, version: after.version }
}

/**
 * Turns incident mode off when its ttl has run out; nothing happens otherwise (or if an operator got there first).
 * @example const change = expireIncident(services, Date.now()) // undefined when nothing expired
 */
export function expireIncident(
  s: Pick<Services, 'state'>,
  now: number,
  actor = 'incident-expiry',
): IncidentChange | undefined {
  let before: IncidentState = { on: false }
  // Decided inside the write transaction, on the newest state, so a fresh /incident on is never undone.
  const after = s.state.update(actor, 'ttl ran out', (draft) => {
    before = draft.incident
    if (before.on && before.expiresAt !== undefined && before.expiresAt <= now) {
      draft.incident = { on: false, reason: 'ttl ran out', by: actor, since: now }
    }
  })
  if (JSON.stringify(before) === JSON.stringify(after.state.incident)) return undefined
  return { changed: true, before, after: after.state.incident, version: after.version }
}

/**
 * Whether incident mode is in force at `now`: on, and its ttl not yet reached (the expiry job may lag a minute).
 * @example isIncidentActive(state.current().state.incident, Date.now())
 */
export function isIncidentActive(incident: IncidentState, now: number): boolean {
  return incident.on && (incident.expiresAt === undefined || now < incident.expiresAt)
}

/**
 * Whether incident mode holds a skill back: risky by declaration (`write`, `external`) or listed in `incident.riskySkills`.
 * @example isRiskyInIncident(def, config.incident.riskySkills)
 */
export function isRiskyInIncident(
  def: Pick<SkillDefinition<unknown>, 'name' | 'risk'>,
  riskySkills: readonly string[],
): boolean {
  return def.risk !== 'read' || riskySkills.includes(def.name)
}

/**
 * One line for /status and routerctl: whether incident mode is on, why, by whom, since and until when.
 * @example describeIncident({ on: true, reason: 'db failover', by: 'alice', since: t0, expiresAt: t1 }, now)
 */
export function describeIncident(i: IncidentState, now: number): string {
  if (i.on && !isIncidentActive(i, now))
    return `ending: its ttl ran out at ${iso(i.expiresAt)} (turned on by ${i.by ?? 'unknown'})`
  if (!i.on) {
    const last = i.by && i.since ? ` (last turned off by ${i.by} ${ago(now - i.since)})` : ''
    return `off${last}`
  }
  const parts = [`ON since ${iso(i.since)} (${ago(now - (i.since ?? now))}) by ${i.by ?? 'unknown'}`]
  if (i.reason) parts.push(`reason: "${i.reason}"`)
  if (i.expiresAt !== undefined) parts.push(`ends ${iso(i.expiresAt)} (in ${formatDuration(i.expiresAt - now)})`)
  return parts.join('; ')
}

/**
 * The admin-conversation announcement of a change; `via` names the channel (chat, routerctl, the expiry job).
 * @example outbox.add(incidentNotice(change, now, 'dingtalk'), now)
 */
export function incidentNotice(c: IncidentChange, now: number, via: 'dingtalk' | 'cli' | 'cron'): string {
  const a = c.after
  if (via === 'cron') {
    return `Incident mode OFF: its ttl ran out (turned on by ${c.before.by ?? 'unknown'} at ${iso(c.before.since)}). Risky skills are back.`
  }
  const how = via === 'cli' ? ' via routerctl (break-glass)' : ''
  if (!a.on) return `Incident mode OFF, turned off by ${a.by ?? 'unknown'}${how}. Risky skills are back.`
  const verb = isIncidentActive(c.before, now) ? 'extended' : 'ON'
  const why = a.reason ? `: "${a.reason}"` : ''
  return (
    `Incident mode ${verb} by ${a.by ?? 'unknown'}${how}${why}. Risky skills are paused; read-only answers continue. ` +
    `Ends ${iso(a.expiresAt)} (in ${formatDuration((a.expiresAt ?? now) - now)}) unless /incident off comes first.`
  )
}

function ago(ms: number): string {
  return ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`
}

function iso(t: number | undefined): string {
  return t === undefined ? 'unknown' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
