import type { IncidentState } from '../../store/state.js'
import { incidentTtl, isIncidentActive, iso } from '../incident-actions.js'
import { byLine, noChange, noticeTexts, replyTexts, type AdminAction } from './action.js'

/** `/incident on [reason] [ttl=…]`, `/incident off`, `routerctl incident on|off --reason … [--ttl …]`. */
export interface IncidentInput {
  mode: 'on' | 'off'
  reason?: string
  /** A duration such as `30m`; only with `on`, default `incident.defaultTtl`. */
  ttl?: string
}

/** What an incident-mode change did: the state before and after, and the runtime-state version. */
export interface IncidentChange {
  before: IncidentState
  after: IncidentState
  version: number
  extended: boolean
}

/**
 * Incident mode on, extended, or off. While it is on, `on` may only extend it: ending it sooner goes through
 * `off`, which in chat needs a second operator. `off` while it is off changes nothing and says so.
 */
export const incidentAction: AdminAction<IncidentInput, IncidentChange> = {
  name: 'incident',
  apply(deps, input, actor) {
    const now = deps.now()
    const say = replyTexts(deps, actor)
    const notice = noticeTexts(deps)
    const before = deps.state.current().state.incident
    const active = isIncidentActive(before, now)
    const reason = input.reason?.trim().slice(0, 200) || undefined
    if (input.mode === 'off') {
      if (!active) return noChange(say.actions.incidentAlreadyOff)
      const after = deps.state.update(actor.name, reason ?? 'incident off', (draft) => {
        draft.incident = { on: false, reason, by: actor.name, since: now }
      })
      return {
        kind: 'change',
        args: { ...input },
        result: { before, after: after.state.incident, version: after.version, extended: false },
        announce: notice.actions.incidentOffNotice(byLine(actor, notice), reason ?? ''),
        reply: say.actions.incidentOffReply(after.version),
      }
    }
    const ttlMs = incidentTtl(deps.config, input.ttl, say)
    const expiresAt = now + ttlMs
    if (active && before.expiresAt !== undefined && expiresAt < before.expiresAt) {
      return {
        kind: 'refuse',
        outcome: 'rejected',
        reason: say.actions.incidentShorter(say.time.duration(ttlMs), iso(expiresAt), iso(before.expiresAt)),
      }
    }
    const after = deps.state.update(actor.name, reason ?? 'incident on', (draft) => {
      // Extending keeps the original start, so /status still shows when the incident began.
      draft.incident = {
        on: true,
        reason: reason ?? (active ? before.reason : undefined),
        by: actor.name,
        since: active ? before.since : now,
        expiresAt,
      }
    })
    const a = after.state.incident
    const announcement = (t: typeof say) =>
      t.actions.incidentOn(active, byLine(actor, t), a.reason ?? '', iso(expiresAt), t.time.duration(ttlMs))
    return {
      kind: 'change',
      args: { ...input, ttlMs },
      result: { before, after: a, version: after.version, extended: active },
      announce: announcement(notice),
      reply: announcement(say),
    }
  },
}

/**
 * The expiry job's action: incident mode off once its ttl has run out. Decided inside the write
 * transaction on the newest state, so a fresh `/incident on` is never undone.
 */
export const incidentExpiry: AdminAction<{ mode: 'off'; reason: 'ttl ran out' }, IncidentChange> = {
  name: 'incident',
  apply(deps, input, actor) {
    const now = deps.now()
    const say = replyTexts(deps, actor)
    const notice = noticeTexts(deps)
    const before = deps.state.current().state.incident
    if (!before.on || before.expiresAt === undefined || before.expiresAt > now)
      return noChange(say.actions.incidentNotPastTtl)
    const after = deps.state.update(actor.name, 'ttl ran out', (draft) => {
      draft.incident = { on: false, reason: 'ttl ran out', by: actor.name, since: now }
    })
    return {
      kind: 'change',
      args: { ...input, turnedOnBy: before.by, expiresAt: before.expiresAt },
      result: { before, after: after.state.incident, version: after.version, extended: false },
      announce: notice.actions.incidentExpiredNotice(before.by ?? notice.actions.unknown, iso(before.since)),
      reply: say.actions.incidentExpiredReply,
    }
  },
}
