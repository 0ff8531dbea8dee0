import type { CommandContext } from '../context.js'
import type { ApprovalRequest, Decision } from '../store/approvals.js'
import { formatArgs } from './approval-text.js'
import { isoSeconds } from './markdown.js'

/** The two decisions an operator can make on a pending request. */
export type DecisionKind = 'approved' | 'denied'

const VERB: Record<DecisionKind, string> = { approved: 'approve', denied: 'deny' }

/**
 * Decides request `id` for the operator in `cctx`, and audits the result in the same write transaction,
 * so a decision never exists without its entry: `approved`/`denied` (actor: the decider, action: the
 * requested command, approvalId set, the requester named in `detail`), or `rejected` with the reason
 * when the attempt is refused (unknown, own request, expired, already decided, tampered).
 * @example const d = decideApproval('approved', 'k3x9q2m7ta', cctx); if (!d.ok) return refusalText(d, 'k3x9q2m7ta', cctx)
 */
export function decideApproval(kind: DecisionKind, id: string, cctx: CommandContext): Decision {
  const { approvals, audit, now } = cctx.services
  const at = now()
  const actor = cctx.operator.name
  const decision = audit.transaction((): Decision => {
    const d = approvals.decide(id, kind, cctx.operator.staffId, at)
    if (d.ok) {
      const r = d.request
      audit.append({
        actor,
        channel: cctx.channel,
        action: r.command,
        args: r.args,
        outcome: kind,
        approvalId: r.id,
        detail: `requested by ${r.requesterName} (${r.requester}) in ${r.conversationId}`,
      })
    } else {
      audit.append({
        actor,
        channel: cctx.channel,
        action: VERB[kind],
        outcome: 'rejected',
        approvalId: d.request?.id,
        args: { id, reason: d.reason, ...(d.request ? { command: d.request.command } : {}) },
      })
    }
    return d
  })
  // The requester learns the outcome of their request even when someone else's message carries it.
  if (decision.ok) cctx.mention?.(decision.request.requester)
  if (!decision.ok && decision.reason === 'tampered') {
    cctx.log.error(
      { approvalId: id, command: decision.request?.command },
      'approval request does not match its signature; refused',
    )
  }
  return decision
}

/**
 * What the operator reads when an approve or deny attempt is refused: what happened and what to do.
 * @example refusalText({ ok: false, reason: 'unknown' }, 'zzz', 'approved', cctx) // 'No approval request "zzz". /pending lists the open ones.'
 */
export function refusalText(
  d: Extract<Decision, { ok: false }>,
  id: string,
  kind: DecisionKind,
  cctx: CommandContext,
): string {
  const r = d.request
  const what = r ? describe(r) : ''
  switch (d.reason) {
    case 'unknown':
      return `No approval request "${id.slice(0, 32)}". /pending lists the open ones.`
    case 'self-approval':
      return `You requested ${id} yourself; a different operator must approve it. (You may /deny ${id} to withdraw it.)`
    case 'expired':
      return `Request ${id} (${what}) expired at ${isoSeconds(r!.expiresAt)}; nothing ran. Ask again if it is still needed.`
    case 'already-decided':
      return `Request ${id} (${what}) was already ${r!.status} by ${decider(r!, cctx)}${r!.decidedAt ? ` at ${isoSeconds(r!.decidedAt)}` : ''}; it cannot be ${kind} again.`
    case 'tampered':
      return `Request ${id} does not match what was signed: its stored row was changed. Refused; nothing ran. Check /audit and the database.`
  }
}

/**
 * The request as one line, for replies and notices.
 * @example describe(request) // '/enable-skill skill=ping by alice'
 */
export function describe(r: ApprovalRequest): string {
  const args = formatArgs(r.args)
  return `/${r.command}${args ? ` ${args}` : ''} by ${r.requesterName}`
}

function decider(r: ApprovalRequest, cctx: CommandContext): string {
  if (!r.decidedBy) return 'someone'
  return cctx.services.operators.get(r.decidedBy)?.name ?? r.decidedBy
}
