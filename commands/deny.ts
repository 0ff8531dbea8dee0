import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { denyRequest } from '../src/admin/approval-decision.js'

// /deny <id>: refuses (or, for its requester, withdraws) a pending approval request.

export default defineCommand({
  name: 'deny',
  description: 'Refuse a pending request (any operator, the requester too, to withdraw it)',
  usage: '/deny <id>',
  positional: ['id'],
  args: z.strictObject({ id: z.string().trim().toLowerCase().min(1).max(64) }),
  approval: 'none',
  selfAudited: true,
  handler: ({ args, ctx }) => {
    const out = denyRequest(ctx.services, args.id, ctx.operator.staffId, ctx.channel, ctx.conversationId)
    if (out.decided && out.request) ctx.mention?.(out.request.requester)
    return out.text
  },
})
