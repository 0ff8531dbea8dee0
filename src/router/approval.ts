import type { Middleware } from '../compose.js'
import type { CommandContext, Context } from '../context.js'
import { approvalRule } from '../admin/execute.js'
import { parseDuration } from '../duration.js'
import { announceApproval } from './announce-approval.js'

/** Builds the handler-facing context of a routed command. */
export function commandContext(ctx: Context): CommandContext {
  return {
    operator: ctx.operator!,
    channel: 'dingtalk',
    conversationId: ctx.msg.conversationId,
    services: ctx.services,
    log: ctx.log,
    mention: (staffId) => ctx.mentions.add(staffId),
  }
}

/**
 * Commands that widen exposure do not run: they become a signed request that a different operator must
 * approve with `/approve <id>` before it expires. The request and its audit entry commit together.
 */
export function approval(): Middleware<Context> {
  return async function approval(ctx, next) {
    if (!ctx.command || !ctx.operator) return next()
    const { def, args } = ctx.command
    const cctx = commandContext(ctx)
    if (approvalRule(def, args, cctx) === 'none') return next()
    const { services } = ctx
    const preview = def.preview ? await def.preview({ args, ctx: cctx }) : undefined
    const now = services.now()
    const ttlMs = parseDuration(services.config.approvals.ttl) ?? 15 * 60_000
    const request = services.audit.transaction(() => {
      const created = services.approvals.create({
        command: def.name,
        args: args as Record<string, unknown>,
        requester: ctx.operator!.staffId,
        requesterName: ctx.operator!.name,
        conversationId: ctx.msg.conversationId,
        now,
        ttlMs,
      })
      services.audit.append({
        actor: ctx.operator!.name,
        channel: 'dingtalk',
        action: def.name,
        args: created.args,
        outcome: 'requested',
        approvalId: created.id,
      })
      return created
    })
    ctx.outcome = 'approval-requested'
    // In a busy group the request must reach the people who can approve it: every other operator.
    for (const staffId of services.operators.keys()) if (staffId !== ctx.operator.staffId) ctx.mentions.add(staffId)
    await announceApproval(ctx, request, now, preview)
  }
}
