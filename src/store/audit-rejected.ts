import type { AuditEntry, AuditInput, AuditLog } from './audit.js'

// The record of an attempt that was refused: every `rejected` entry is written here, in one shape.

/** A refused attempt: the entry's fields but its outcome, and why (kept as `args.reason`). */
export type Rejection = Omit<AuditInput, 'outcome'> & { reason?: string }

/**
 * Puts a refused attempt on the record as `rejected`, its reason in `args.reason` where /audit, /review and
 * the access review read it. Throws as `append` does: a refusal that cannot be recorded is an audit failure.
 * @example auditRejected(audit, { actor: 'alice', channel: 'dingtalk', action: 'approve', reason: 'not-an-operator' })
 */
export function auditRejected(audit: Pick<AuditLog, 'append'>, rejection: Rejection): AuditEntry {
  const { reason, args, ...entry } = rejection
  return audit.append({
    ...entry,
    outcome: 'rejected',
    args: reason === undefined ? args : { ...args, reason },
  })
}

/**
 * The actor of an attempt by someone who is not (here) an operator: `staff:<id>`, never a nickname, which
 * anyone can set. /audit tells others' refusals from operators' own entries by this prefix.
 * @example staffActor('user9') // 'staff:user9'
 */
export function staffActor(staffId: string): string {
  return `staff:${staffId.slice(0, 64)}`
}
