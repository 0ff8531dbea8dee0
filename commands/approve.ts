import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { approveRequest, describe } from '../src/admin/approval-decision.js'
import { markdownReply } from '../src/admin/markdown.js'

// /approve <id>: a second operator approves a pending request, which then runs once.

export default defineCommand({
  name: 'approve',
  description: "Approve another operator's pending request; it runs at once, once",
  usage: '/approve <id>',
  positional: ['id'],
  // Loose on purpose: a mistyped id is still an approval attempt, refused by the store and audited.
  args: z.strictObject({ id: z.string().trim().toLowerCase().min(1).max(64) }),
  // Deciding is the second operator's act itself; it must never wait for a third.
  approval: 'none',
  // The decision entries (approved, then the action's executed, or the refusal) are the whole record.
  selfAudited: true,
  async handler({ args, ctx }) {
    const out = await approveRequest(ctx.services, args.id, ctx.operator.staffId, ctx.channel, ctx.conversationId)
    // The requester learns the outcome of their request even when someone else's message carries it.
    if (out.decided && out.request) ctx.mention?.(out.request.requester)
    if (out.failed) ctx.markFailed?.()
    if (!out.executed || !out.request) return out.text
    const t = ctx.texts.approval
    return markdownReply(t.approvedTitle(out.request.command), [
      t.approvedHeading(describe(out.request, t)),
      t.approvedBy(ctx.operator.name, out.request.id),
      '',
      out.text,
    ])
  },
})
