import type { Services } from '../context.js'
import type { ApprovalRequest, Decision } from '../store/approvals.js'
import type { AuditChannel } from '../store/audit.js'
import type { ActionActor } from './actions/action.js'
import { applyInTransaction, runAfter } from './actions/execute.js'
import { commandLine } from './approval-text.js'
import { textsFor, type Texts } from '../i18n/catalogue.js'
import { isoSeconds } from '../time-text.js'
import { actionFailed, actionReply, runCommandWithResult } from './run-command.js'
import { auditRejected, staffActor } from '../store/audit-rejected.js'

/** The two decisions an operator can make on a pending request. */
export type DecisionKind = 'approved' | 'denied'

/** What a decision did, for the chat reply (and a DingTalk card): `text` is what the decider reads. */
export interface DecisionOutcome {
  ok: boolean
  text: string
  request?: ApprovalRequest
  /** Set when the approved action committed (`executed`). */
  executed?: boolean
  /** Set when this call decided the request (approved, denied, or closed as not runnable): its requester should hear of it. */
  decided?: boolean
  /**
   * Set when the router could not carry out what was approved: the action failed (not refused), its
   * follow-up (the rollback hook) failed, or the approved read could not answer. The chat message that
   * approved it is then an error of its route.
   */
  failed?: boolean
}

const VERB: Record<DecisionKind, string> = { approved: 'approve', denied: 'deny' }

/**
 * Approves request `approvalId` for operator `deciderStaffId`, judged against the present, and runs it: the
 * decision, the `approved` entry, the action's change and its `executed` entry commit in ONE transaction.
 * Refused (and audited `rejected`) when the decider is no operator, the request is unknown, their own,
 * expired, already decided or tampered with; `expired` when its requester is no longer an operator. When the
 * action itself refuses (stale dry run, nothing to change) the request is closed and that refusal, with
 * the approvalId, is the only entry: no `approved`, no `executed`. The one entry point for chat and cards.
 * @example const out = await approveRequest(services, 'k3x9q2m7ta', 'op2', 'dingtalk')
 */
export async function approveRequest(
  s: Services,
  approvalId: string,
  deciderStaffId: string,
  channel: AuditChannel,
  conversationId?: string,
): Promise<DecisionOutcome> {
  const decider = s.operators.get(deciderStaffId)
  const at = s.now()
  const t = words(s)
  let follow: (() => Promise<{ text: string; failed: boolean }>) | undefined
  const out = s.audit.transaction((): DecisionOutcome => {
    const refused = refuseUpFront(s, 'approved', approvalId, deciderStaffId, channel, at)
    if (refused) return refused
    const r = decided(s.approvals.decide(approvalId, 'approved', deciderStaffId, at))
    const def = s.commands.get(r.command)
    const parsed = def?.args.safeParse(r.args)
    const call = parsed?.success ? def!.action?.(parsed.data) : undefined
    const actor: ActionActor = {
      name: decider!.name,
      channel,
      approval: { id: r.id, requesterName: r.requesterName, requester: r.requester, requestedAt: r.createdAt },
    }
    const approvedEntry = () =>
      s.audit.append({
        actor: actor.name,
        channel,
        action: r.command,
        args: r.args,
        outcome: 'approved',
        approvalId: r.id,
        detail: `requested by ${r.requesterName} (${r.requester}) in ${r.conversationId}`,
      })
    if (!call && parsed?.success && def?.handler) {
      // A read-only command whose approval the config forces (approvals.require): approved, then answered
      // (and audited) after the decision commits, like any read.
      approvedEntry()
      const cctx = {
        operator: decider!,
        channel: 'dingtalk' as const,
        conversationId: conversationId ?? r.conversationId,
        services: s,
        log: s.log,
        texts: textsFor(s.config.locale),
      }
      follow = async () => {
        const { reply, failed } = await runCommandWithResult(def, parsed.data, cctx)
        return { text: typeof reply === 'string' ? reply : reply.markdown, failed }
      }
      return { ok: true, text: '', request: r, executed: true }
    }
    if (!call)
      return notRunnable(
        s,
        r,
        actor,
        parsed?.success === false ? t.notRunArgs(def!.usage) : t.notRunNoAction(r.command),
        at,
      )
    const done = applyInTransaction(s, call.action, call.input, actor, approvedEntry)
    if (!done.ok) s.approvals.close(r.id, 'denied', at)
    const text = done.ok ? done.reply : t.approvedNotRun(actionReply(r.command, done, textsFor(s.config.locale)))
    if (conversationId !== undefined && r.conversationId !== conversationId) {
      s.outbox.add(t.approvedElsewhere(r.id, describe(r, t), actor.name, text), at)
    }
    if (done.ok && call.action.after) {
      follow = async () => {
        const after = await runAfter(s, call.action, call.input, done, actor)
        return { text: after.reply, failed: actionFailed(after) }
      }
    }
    return { ok: done.ok, text, request: r, executed: done.ok, decided: true, failed: actionFailed(done) }
  })
  if (follow) {
    const followed = await follow()
    out.text = followed.text
    if (followed.failed) out.failed = true
  }
  return out
}

/**
 * Denies request `approvalId` (any operator, the requester too, to withdraw it); audited `denied`, or
 * `rejected` with the reason when the attempt is refused.
 * @example const out = denyRequest(services, 'k3x9q2m7ta', 'op1', 'dingtalk')
 */
export function denyRequest(
  s: Services,
  approvalId: string,
  deciderStaffId: string,
  channel: AuditChannel,
  conversationId?: string,
): DecisionOutcome {
  const at = s.now()
  const t = words(s)
  return s.audit.transaction((): DecisionOutcome => {
    const refused = refuseUpFront(s, 'denied', approvalId, deciderStaffId, channel, at)
    if (refused) return refused
    const r = decided(s.approvals.decide(approvalId, 'denied', deciderStaffId, at))
    const name = s.operators.get(deciderStaffId)!.name
    s.audit.append({
      actor: name,
      channel,
      action: r.command,
      args: r.args,
      outcome: 'denied',
      approvalId: r.id,
      detail: `requested by ${r.requesterName} (${r.requester}) in ${r.conversationId}`,
    })
    if (conversationId !== undefined && r.conversationId !== conversationId)
      s.outbox.add(t.deniedElsewhere(r.id, describe(r, t), name), at)
    return { ok: true, text: t.denied(r.id, describe(r, t)), request: r, decided: true }
  })
}

// Everything that stops a decision before it is made, each audited: a decider who is no operator, a
// requester who no longer is one (the request expires), and what the store refuses.
function refuseUpFront(
  s: Services,
  kind: DecisionKind,
  id: string,
  deciderStaffId: string,
  channel: AuditChannel,
  at: number,
): DecisionOutcome | undefined {
  const decider = s.operators.get(deciderStaffId)
  const actor = decider?.name ?? staffActor(deciderStaffId)
  const t = words(s)
  const reject = (reason: string, request?: ApprovalRequest, text = t.refused) => {
    auditRejected(s.audit, {
      actor,
      channel,
      action: VERB[kind],
      reason,
      approvalId: request?.id,
      args: { id, ...(request ? { command: request.command } : {}) },
    })
    return { ok: false, text, request }
  }
  if (!decider) return reject('not-an-operator', undefined, t.notAnOperator)
  const request = s.approvals.get(id)
  if (
    kind === 'approved' &&
    request?.status === 'pending' &&
    at < request.expiresAt &&
    !s.operators.has(request.requester)
  ) {
    s.approvals.close(request.id, 'expired', at)
    s.audit.append({
      actor,
      channel,
      action: request.command,
      args: request.args,
      outcome: 'expired',
      approvalId: request.id,
      detail: `requester ${request.requesterName} (${request.requester}) is no longer an operator`,
    })
    return {
      ok: false,
      request,
      text: t.requesterGone(request.id, describe(request, t), request.requesterName),
    }
  }
  // A dry run of the decision: the store's own checks, without writing (decide() below writes).
  const problem = s.approvals.check(id, kind, deciderStaffId, at)
  if (!problem) return undefined
  if (problem.reason === 'tampered')
    s.log.error(
      { approvalId: id, command: problem.request?.command },
      'approval request does not match its signature; refused',
    )
  return reject(problem.reason, problem.request, refusalText(problem, id, kind, s, t))
}

// Checked under the same write lock just before, so it cannot lose; a loss would be a bug, not a refusal.
function decided(d: Decision): ApprovalRequest {
  if (!d.ok) throw new Error(`approval decision lost under the write lock (${d.reason})`)
  return d.request
}

// A forced approval of a read-only command, or stored args that no longer validate: nothing can run.
function notRunnable(s: Services, r: ApprovalRequest, actor: ActionActor, reason: string, at: number): DecisionOutcome {
  s.approvals.close(r.id, 'denied', at)
  s.audit.append({
    actor: actor.name,
    channel: actor.channel,
    action: r.command,
    args: r.args,
    outcome: 'failed',
    approvalId: r.id,
    detail: reason,
  })
  return { ok: false, text: words(s).approvedNotRun(`${reason}.`), request: r, decided: true }
}

/**
 * What the decider reads when an approve or deny attempt is refused: what happened and what to do.
 * @example refusalText({ ok: false, reason: 'unknown' }, 'zzz', 'approved', services)
 */
function refusalText(
  d: Extract<Decision, { ok: false }>,
  id: string,
  kind: DecisionKind,
  s: Pick<Services, 'operators'>,
  t: Texts['approval'],
): string {
  const r = d.request
  const what = r ? describe(r, t) : ''
  switch (d.reason) {
    case 'unknown':
      return t.unknown(id.slice(0, 32))
    case 'self-approval':
      return t.selfApproval(id)
    case 'expired':
      return t.expired(id, what, isoSeconds(r!.expiresAt))
    case 'already-decided':
      return t.alreadyDecided(
        id,
        what,
        r!.status,
        decider(r!, s, t),
        r!.decidedAt ? isoSeconds(r!.decidedAt) : '',
        kind,
      )
    case 'tampered':
      return t.tampered(id)
  }
}

/**
 * The request as one line, for replies and notices, in the admin group's language.
 * @example describe(request, textsFor('en').approval) // '/enable-skill skill=ping by alice'
 */
export function describe(r: ApprovalRequest, t: Texts['approval']): string {
  return t.describe(commandLine(r), r.requesterName)
}

// Every decision text goes to the admin conversations, so it is written in the configured locale.
function words(s: Pick<Services, 'config'>): Texts['approval'] {
  return textsFor(s.config.locale).approval
}

function decider(r: ApprovalRequest, s: Pick<Services, 'operators'>, t: Texts['approval']): string {
  if (!r.decidedBy) return t.someone
  return s.operators.get(r.decidedBy)?.name ?? r.decidedBy
}
