import type { Operator } from '../config.js'
import type { Texts } from '../i18n/catalogue.js'
import type { AuditLog } from '../store/audit.js'
import { isoSeconds } from '../time-text.js'

// The access review: each operator's last activity in the audit trail, and who has been inactive too long.

const DAY_MS = 86_400_000

/** One operator's last trace in the audit trail. */
export interface OperatorActivity {
  staffId: string
  name: string
  /** The newest audit entry with this operator as actor, if the retained trail has one. */
  last?: { ts: string; action: string; outcome: string }
  inactive: boolean
}

export interface AccessReview {
  inactiveDays: number
  operators: OperatorActivity[]
  /** The oldest retained audit entry: "never" means "not since then". */
  trailStartsAt?: string
}

/**
 * Each operator in the allowlist with their last activity (from the audit trail, where commands are
 * recorded under the operator's name), flagging anyone inactive past `inactiveDays`.
 * Shared by the weekly access-review job and `routerctl access review`.
 * @example accessReview({ audit, operators: config.operators, inactiveDays: 30 }, Date.now())
 */
export function accessReview(
  s: { audit: AuditLog; operators: readonly Operator[]; inactiveDays: number },
  now: number,
): AccessReview {
  const operators = s.operators.map((op) => {
    const entry = s.audit.recent(1, { actor: op.name })[0]
    const last = entry ? { ts: entry.ts, action: entry.action, outcome: entry.outcome } : undefined
    const inactive = !last || now - Date.parse(last.ts) > s.inactiveDays * DAY_MS
    return { staffId: op.staffId, name: op.name, last, inactive }
  })
  const iterator = s.audit.entries()
  const first = iterator.next()
  // Close the open SQLite cursor at once; the connection stays busy while it is open.
  iterator.return(undefined)
  return { inactiveDays: s.inactiveDays, operators, trailStartsAt: first.done ? undefined : first.value.ts }
}

/**
 * The review as a short list in `texts` (routerctl passes English): one line per operator, inactive ones flagged.
 * @example formatAccessReview(accessReview(deps, now), now, textsFor('en')).join('\n')
 */
export function formatAccessReview(r: AccessReview, now: number, texts: Texts): string[] {
  const t = texts.jobs
  const inactive = r.operators.filter((o) => o.inactive)
  const lines = [t.accessHeading(r.operators.length, inactive.length, r.inactiveDays)]
  for (const o of r.operators) {
    const seen = o.last
      ? t.lastActive(
          isoSeconds(Date.parse(o.last.ts)),
          texts.time.ago(now - Date.parse(o.last.ts)),
          `${o.last.action} ${o.last.outcome}`,
        )
      : t.noActivity(r.trailStartsAt ? r.trailStartsAt.slice(0, 10) : '')
    lines.push(`- ${o.inactive ? t.inactive : ''}${o.name} (${o.staffId}): ${seen}`)
  }
  if (inactive.length > 0) lines.push(t.accessAdvice)
  return lines
}
