import type { AuditEntry } from '../store/audit.js'
import { errorMessage } from '../errors.js'
import type { CliIo, FlagSpec } from './command.js'
import { osUser } from './os-user.js'
import type { CliSession } from './session.js'

const MAX_REASON = 500

/** The `--reason` every mutating command declares; the parser refuses the command without it. */
export const reasonFlag: FlagSpec = {
  kind: 'value',
  placeholder: '"<text>"',
  required: true,
  validate: (v) => (v.length > MAX_REASON ? `keep the reason under ${MAX_REASON} characters` : undefined),
}

/**
 * One break-glass change. `apply` runs inside the same write transaction as its audit entry, after it.
 * @example
 * { action: 'disable-skill', args: { skill: 'ping' }, reason, summary: 'disabled skill ping',
 *   unchanged: () => (state.isSkillEnabled('ping') ? undefined : 'ping is already off'),
 *   apply: () => setSkillEnabled(deps, 'ping', false, user, reason) }
 */
export interface BreakGlassChange<T> {
  action: string
  args: Record<string, unknown>
  reason: string
  /** What happened, for the admin chat: "Break-glass: alice <summary> over SSH: <reason>". */
  summary: string
  /** Read under the write lock before the entry: why nothing would change, or undefined. */
  unchanged(): string | undefined
  apply(actor: string): T
}

export type BreakGlassResult<T> =
  | { changed: true; entry: AuditEntry; result: T }
  | { changed: false; entry: AuditEntry; note: string }

/**
 * Audits, applies and announces one change as the OS user, with channel `cli` and `breakGlass: true`.
 * The entry and the change commit in one transaction, so a change without its entry cannot exist; if the
 * entry cannot be written, nothing changes. A no-op is still audited (someone used the SSH gate, and
 * /review should show it) but not announced. A change that throws is rolled back and audited as `failed`.
 * @example const done = runBreakGlass(session, io, change); io.out(`audit seq ${done.entry.seq}`)
 */
export function runBreakGlass<T>(session: CliSession, io: CliIo, change: BreakGlassChange<T>): BreakGlassResult<T> {
  const { audit, outbox } = session.stores
  const user = osUser(io.env)
  const base = {
    actor: user,
    osUser: user,
    channel: 'cli' as const,
    breakGlass: true,
    action: change.action,
    args: { ...change.args, reason: change.reason },
  }
  const chainNote = chainProblem(session, io)
  let stage: 'audit' | 'apply' = 'audit'
  try {
    return audit.transaction((): BreakGlassResult<T> => {
      const note = change.unchanged()
      const detail = [note && `no change: ${note}`, chainNote].filter(Boolean).join('; ') || undefined
      const entry = audit.append({ ...base, outcome: 'executed', detail })
      if (note) return { changed: false, entry, note }
      stage = 'apply'
      const result = change.apply(user)
      outbox.add(`Break-glass: ${user} ${change.summary} over SSH: ${change.reason}`, io.now())
      return { changed: true, entry, result }
    })
  } catch (err) {
    if (stage === 'audit') throw new AuditWriteError(errorMessage(err))
    try {
      audit.append({ ...base, outcome: 'failed', detail: errorMessage(err) })
    } catch (auditErr) {
      io.err(`routerctl: warning: could not audit the failure either (${errorMessage(auditErr)})`)
    }
    throw err
  }
}

/** The audit entry could not be written, so the change was not made. */
class AuditWriteError extends Error {
  constructor(cause: string) {
    super(`could not write the audit entry (${cause}); nothing was changed`)
    this.name = 'AuditWriteError'
  }
}

// A chain that already fails (often a wrong ROUTER_AUDIT_KEY) is worth a warning, not a refusal:
// break-glass must still work, and the note travels in the new entry for whoever reviews it.
function chainProblem(session: CliSession, io: CliIo): string | undefined {
  const check = session.stores.audit.verify()
  if (check.ok) return undefined
  io.err(
    `routerctl: warning: the audit chain does not verify at seq ${check.seq} (${check.reason}); check ROUTER_AUDIT_KEY. Continuing.`,
  )
  return `audit chain did not verify before this entry (seq ${check.seq}: ${check.reason})`
}
