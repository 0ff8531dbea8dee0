import type { RouterConfig } from '../config.js'
import type { SkillDefinition } from '../define.js'
import { parseDuration } from '../duration.js'
import { UserError } from '../errors.js'
import type { IncidentState } from '../store/state.js'
import { isoSeconds } from '../time-text.js'
import type { Texts } from '../i18n/catalogue.js'

// The expiry job runs once a minute, so a shorter ttl could not be honoured.
const MIN_TTL_MS = 60_000

/**
 * Reads an operator's ttl (`30m`, `4h`) or the configured default, refusing what the expiry cannot honour.
 * @example incidentTtl(config, '2h', textsFor('en')) // 7200000
 */
export function incidentTtl(config: Pick<RouterConfig, 'incident'>, text: string | undefined, t: Texts): number {
  if (text === undefined) return parseDuration(config.incident.defaultTtl) ?? 4 * 3_600_000
  const ms = parseDuration(text)
  if (ms === undefined) throw new UserError(t.actions.badTtl(text.slice(0, 20)), 'bad_ttl')
  checkTtl(config, ms, t)
  return ms
}

function checkTtl(config: Pick<RouterConfig, 'incident'>, ms: number, t: Texts): void {
  const max = parseDuration(config.incident.maxTtl) ?? 86_400_000
  if (ms < MIN_TTL_MS) throw new UserError(t.actions.ttlTooShort, 'bad_ttl')
  if (ms > max) throw new UserError(t.actions.ttlTooLong(t.time.duration(ms), config.incident.maxTtl), 'bad_ttl')
}

/**
 * Incident mode as it is in force at `now`: a state whose ttl has run out reads as off from that moment,
 * whether or not the expiry job has swept it yet.
 * @example effectiveIncident(state.current().state.incident, Date.now()).on
 */
export function effectiveIncident(incident: IncidentState, now: number): IncidentState {
  if (!incident.on || isIncidentActive(incident, now)) return incident
  return { on: false, reason: 'ttl ran out', by: incident.by, since: incident.expiresAt }
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
 * @example describeIncident({ on: true, reason: 'db failover', by: 'alice', since: t0, expiresAt: t1 }, now, textsFor('en'))
 */
export function describeIncident(i: IncidentState, now: number, texts: Texts): string {
  const t = texts.incident
  const unknown = texts.actions.unknown
  if (i.on && !isIncidentActive(i, now)) return t.ending(iso(i.expiresAt), i.by ?? unknown)
  if (!i.on) return i.by && i.since ? t.off(i.by, texts.time.ago(now - i.since)) : t.off('', '')
  const parts = [t.on(iso(i.since), texts.time.ago(now - (i.since ?? now)), i.by ?? unknown)]
  if (i.reason) parts.push(t.reason(i.reason))
  if (i.expiresAt !== undefined) parts.push(t.ends(iso(i.expiresAt), texts.time.in(i.expiresAt - now)))
  return t.join(parts)
}

/** An epoch time as ISO 8601 to the second, or `unknown`. */
export function iso(t: number | undefined): string {
  return t === undefined ? 'unknown' : isoSeconds(t)
}
