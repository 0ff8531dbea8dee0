import { approvalRequestReply } from '../admin/approval-text.js'
import type { Context } from '../context.js'
import { spaceOf } from '../cards/cards.js'
import type { ApprovalRequest } from '../store/approvals.js'
import { textsFor } from '../i18n/catalogue.js'

/**
 * Tells the conversation about a new approval request: as an interactive card with Approve/Deny buttons when
 * an approval card template is configured and DingTalk takes the card, else as the markdown request.
 */
export async function announceApproval(
  ctx: Context,
  request: ApprovalRequest,
  now: number,
  preview?: string,
): Promise<void> {
  const cards = ctx.services.cards?.approvals
  const space = spaceOf(ctx.msg)
  // The card @-mentions the same people the markdown request would (the other operators).
  if (cards && space && (await cards.deliver(request, space, preview, [...ctx.mentions]))) return
  // Operator texts are in the admin group's language, whatever language the command's arguments were in.
  await ctx.reply(approvalRequestReply(request, now, textsFor(ctx.services.config.locale).approval, preview))
}
