import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { decideApproval, describe, refusalText } from '../src/admin/approval-decision.js'

export default defineCommand({
  name: 'deny',
  description: 'Refuse a pending request (any operator, the requester too, to withdraw it)',
  usage: '/deny <id>',
  positional: ['id'],
  args: z.strictObject({ id: z.string().trim().toLowerCase().min(1).max(64) }),
  approval: 'none',
  handler: ({ args, ctx }) => {
    const decision = decideApproval('denied', args.id, ctx)
    if (!decision.ok) return refusalText(decision, args.id, 'denied', ctx)
    const request = decision.request
    if (request.conversationId !== ctx.conversationId) {
      ctx.services.outbox.add(
        `Request ${request.id} (${describe(request)}) was denied by ${ctx.operator.name}.`,
        ctx.services.now(),
      )
    }
    return `Denied ${request.id} (${describe(request)}). Nothing ran.`
  },
})
