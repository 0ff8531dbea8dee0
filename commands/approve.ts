import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { decideApproval, describe, refusalText } from '../src/admin/approval-decision.js'
import { contentText, markdownReply } from '../src/admin/markdown.js'
import { runApproved } from '../src/admin/run-approved.js'

export default defineCommand({
  name: 'approve',
  description: "Approve another operator's pending request; it runs at once, once",
  usage: '/approve <id>',
  positional: ['id'],
  // Loose on purpose: a mistyped id is still an approval attempt, refused by the store and audited.
  args: z.strictObject({ id: z.string().trim().toLowerCase().min(1).max(64) }),
  // Deciding is the second operator's act itself; it must never wait for a third.
  approval: 'none',
  async handler({ args, ctx }) {
    const decision = decideApproval('approved', args.id, ctx)
    if (!decision.ok) return refusalText(decision, args.id, 'approved', ctx)
    const request = decision.request
    const result = contentText(await runApproved(request, ctx))
    if (request.conversationId !== ctx.conversationId) {
      ctx.services.outbox.add(
        `Request ${request.id} (${describe(request)}) was approved by ${ctx.operator.name} in another admin conversation. Result: ${result}`,
        ctx.services.now(),
      )
    }
    return markdownReply(`Approved: /${request.command}`, [
      `### Approved: ${describe(request)}`,
      `- **Approved by:** ${ctx.operator.name} · **id:** ${request.id}`,
      '',
      result,
    ])
  },
})
