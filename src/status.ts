import type { RouterConfig, RouterMode } from './config.js'
import type { Risk } from './define.js'
import type { QueueStatus, Services } from './context.js'
import type { WalFacts } from './store/wal-guard.js'
import type { BreakerState } from './egress/client.js'
import type { ErrorRate } from './store/usage.js'
import type { RouteUsage } from './store/model-usage.js'
import type { IncidentState, RuntimeState, StateVersion } from './store/state.js'
import type { OutboxBacklog } from './store/outbox.js'
import { effectiveIncident, isIncidentActive, isRiskyInIncident } from './admin/incident-actions.js'
import type { Texts } from './i18n/catalogue.js'

// The /status facts, shared by the chat command, GET /status and routerctl status.

export interface SkillStatus {
  name: string
  enabled: boolean
  reason?: string
  risk: Risk
  egress: string[]
  breakers: Record<string, BreakerState>
}

/** A skill as the skill gate treats it right now: on, off, or on but held back by incident mode. */
export interface SkillNow extends SkillStatus {
  /** On, but incident mode holds it back, so its fallback answers instead; false for a skill that is off. */
  pausedByIncident: boolean
}

/** The `/status` facts; GET /status serves the same object as JSON. */
export interface StatusFacts {
  /** `dingtalk` or `simulator`; absent when no bot process is attached (routerctl). */
  mode?: RouterMode
  version: string
  digest: string
  uptimeSeconds: number | null
  stream: string
  incident: IncidentState
  stateVersion: number
  /**
   * Runtime state versions newer than `stateVersion` that no audit entry commits to: written behind the
   * router's back (e.g. with sqlite3) and therefore ignored.
   */
  ignoredStateVersions: number[]
  skills: SkillNow[]
  errorRate: ErrorRate
  pendingApprovals: number
  /**
   * Notices for the admin conversations not sent yet, from the table: `waiting` are still being tried (the
   * bot is disconnected, or the OpenAPI refuses them and they back off), `undelivered` were given up on.
   */
  outbox: OutboxBacklog
  /** Messages waiting for a worker, the oldest one's wait and the pool; absent outside the bot process. */
  queue?: QueueStatus
  /** Model usage per route over the last hour (tokens, tool calls, cache, refusals, latency); absent without a usage store. */
  modelUsage?: RouteUsage[]
  /** The WAL's size, with a warning when a reader keeps it from shrinking; from the bot process only. */
  database?: WalFacts
}

/** What the skill gate's incident rule reads from the configuration. */
type IncidentConfig = { incident: Pick<RouterConfig['incident'], 'riskySkills'> }

// `egress` and `runtime` live only in the bot process; routerctl passes neither.
type StatusSources = Pick<Services, 'state' | 'approvals' | 'usage' | 'skills' | 'outbox'> & {
  config: IncidentConfig
  egress?: Services['egress']
  runtime?: Services['runtime']
  modelUsage?: Services['modelUsage']
}

/**
 * The error rate in words, the same in /status, /runbook, the daily digest and routerctl status: failures
 * include skill calls answered from a fallback, and fallback answers are also counted on their own.
 * @example describeErrorRate(usage.errorRate(now), 'words', textsFor('en')) // '3 of 40 messages (7.5%); 2 answered from a fallback'
 * describeErrorRate(usage.errorRate(now), 'short', textsFor('en')) // '3/40 = 7.5%; 2 answered from a fallback'
 */
export function describeErrorRate(e: ErrorRate, style: 'words' | 'short', texts: Texts): string {
  return texts.status.errorRate(e, style)
}

/** Gathers status from SQLite (shared with routerctl) and, in the bot, from the running process. */
export function collectStatus(s: StatusSources, now: number): StatusFacts {
  const current = s.state.current()
  const database = s.runtime?.database?.()
  return {
    ...(s.runtime ? { mode: s.runtime.mode ?? 'dingtalk' } : {}),
    version: s.runtime?.version ?? 'unknown (bot process not attached)',
    digest: s.runtime?.digest ?? 'unknown',
    uptimeSeconds: s.runtime ? Math.round((now - s.runtime.startedAt) / 1000) : null,
    stream: s.runtime?.streamState() ?? 'unknown (bot process not attached)',
    // Off from the moment its ttl ends, not from the expiry job's next sweep.
    incident: effectiveIncident(current.state.incident, now),
    stateVersion: current.version,
    ignoredStateVersions: s.state.unattested(),
    skills: skillsNow(s, now, current),
    errorRate: s.usage.errorRate(now, 15),
    pendingApprovals: s.approvals.pending(now).length,
    outbox: s.outbox.backlog(),
    ...(s.runtime?.queue ? { queue: roundQueue(s.runtime.queue()) } : {}),
    ...(s.modelUsage ? { modelUsage: s.modelUsage.summary(now - 3_600_000) } : {}),
    ...(database ? { database } : {}),
  }
}

/**
 * Each skill's flag and declarations, without the incident pause (see skillsNow); `breakers` is empty when no
 * egress factory is attached (routerctl: unknown).
 */
function skillStatuses(
  s: Pick<Services, 'skills'> & { egress?: Services['egress'] },
  flags: RuntimeState['skills'],
): SkillStatus[] {
  const egress = s.egress
  return s.skills.skills.map((def) => ({
    name: def.name,
    enabled: flags[def.name]?.enabled ?? true,
    reason: flags[def.name]?.reason,
    risk: def.risk,
    egress: def.egress ?? [],
    breakers: egress ? Object.fromEntries((def.egress ?? []).map((d) => [d, egress.breakerState(d)])) : {},
  }))
}

/**
 * Each skill's status with `pausedByIncident`, decided by the skill gate's own rule (src/router/run-skill.ts:
 * incident mode in force and the skill risky in it), so /status and /skills cannot disagree with what runs.
 * `current` is the state version the caller already read, so one report never mixes two.
 * @example skillsNow(services, Date.now()).filter((k) => k.pausedByIncident).map((k) => k.name) // ['deploy-app']
 */
export function skillsNow(
  s: Pick<Services, 'state' | 'skills'> & { config: IncidentConfig; egress?: Services['egress'] },
  now: number,
  current: StateVersion = s.state.current(),
): SkillNow[] {
  const inForce = isIncidentActive(current.state.incident, now)
  const risky = s.config.incident.riskySkills
  return skillStatuses(s, current.state.skills).map((k) => ({
    ...k,
    pausedByIncident: k.enabled && inForce && isRiskyInIncident(k, risky),
  }))
}

/**
 * How many skills are on, paused by incident mode, and off: the counts /status, /skills and routerctl show.
 * @example skillCounts(skillsNow(services, now)) // { on: 3, paused: 2, off: 1 }
 */
export function skillCounts(skills: readonly SkillNow[]): { on: number; paused: number; off: number } {
  const off = skills.filter((k) => !k.enabled).length
  const paused = skills.filter((k) => k.pausedByIncident).length
  return { on: skills.length - off - paused, paused, off }
}

/**
 * A skill's state column in /status and /skills: on, paused (incident), or off with its reason.
 * @example skillState(skill, textsFor('en')) // 'paused (incident)'
 */
export function skillState(k: SkillNow, texts: Texts): string {
  const t = texts.status
  if (!k.enabled) return t.off(k.reason ?? '')
  return k.pausedByIncident ? t.paused : t.on
}

function roundQueue(q: QueueStatus): QueueStatus {
  return { ...q, oldestWaitSeconds: Math.round(q.oldestWaitSeconds * 10) / 10 }
}
