import type { CommandContext } from '../context.js'
import type { ReplyContent } from '../dingtalk/openapi.js'
import type { ApprovalRequest } from '../store/approvals.js'
import { executeCommand } from './execute.js'

/**
 * Runs a request that was just approved, once, through the same audited executor as every command.
 * The stored args are validated again with the command's current schema (the definition may have changed
 * since the request). The `executed` entry's actor is the approver — the person who made it happen now —
 * and carries the approvalId, which ties it to the `requested` entry (actor: the requester) and the
 * `approved` entry (actor: the approver, detail: the requester).
 * @example const result = await runApproved(decision.request, cctx)
 */
export async function runApproved(request: ApprovalRequest, cctx: CommandContext): Promise<ReplyContent> {
  const { commands, audit } = cctx.services
  const fail = (detail: string): string => {
    audit.append({
      actor: cctx.operator.name,
      channel: cctx.channel,
      action: request.command,
      args: request.args,
      outcome: 'failed',
      approvalId: request.id,
      detail,
    })
    return `Approved, but NOT run: ${detail}.`
  }
  const def = commands.get(request.command)
  if (!def) return fail(`/${request.command} does not exist in this version of the router`)
  const parsed = def.args.safeParse(request.args)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return fail(
      `the stored arguments no longer fit ${def.usage} (${issue?.path.join('.') || 'args'}: ${issue?.message ?? 'invalid'})`,
    )
  }
  return executeCommand(def, parsed.data, {
    ...cctx,
    approvalId: request.id,
    requestedBy: `${request.requesterName} (${request.requester})`,
  })
}
