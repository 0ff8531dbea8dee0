import type { Middleware } from '../compose.js'
import type { CommandContext, Context } from '../context.js'
import type { CommandDefinition } from '../define.js'
import { parseDuration } from '../duration.js'
import { errorMessage, isUserError } from '../errors.js'
import { announceApproval } from './announce-approval.js'
import { auditRejected } from '../store/audit-rejected.js'
import { textsFor } from '../i18n/catalogue.js'

/** Whether this command, with these args, needs a second operator; the config can force or waive it. */
export function approvalRule<A>(def: CommandDefinition<A>, args: A, cctx: CommandContext): 'none' | 'second-operator' {
  const forced = cctx.services.config.approvals.require[def.name]
  if (forced !== undefined) return forced ? 'second-operator' : 'none'
  return typeof def.approval === 'function' ? def.approval(args, cctx) : def.approval
}

/** Builds the handler-facing context of a routed command. */
export function commandContext(ctx: Context): CommandContext {
  return {
    operator: ctx.operator!,
    channel: 'dingtalk',
    conversationId: ctx.msg.conversationId,
    services: ctx.services,
    log: ctx.log,
    mention: (staffId) => ctx.mentions.add(staffId),
    texts: textsFor(ctx.services.config.locale),
  }
}

/**
 * Commands that widen exposure do not run: they become a signed request that a different operator must
 * approve with `/approve <id>` before it expires. The request and its audit entry commit together.
 */
export function approval(): Middleware<Context> {
  // The check is not async (most messages are not commands: no promise and frame of its own for them).
  return function approval(ctx, next) {
    if (!ctx.command || !ctx.operator) return next()
    const cctx = commandContext(ctx)
    if (approvalRule(ctx.command.def, ctx.command.args, cctx) === 'none') return next()
    return openRequest(ctx, ctx.command, cctx)
  }
}

/** Opens the signed request for a second operator, with its audit entry, and announces it. */
async function openRequest(
  ctx: Context,
  { def, args }: NonNullable<Context['command']>,
  cctx: CommandContext,
): Promise<void> {
  const { operator } = cctx
  const { services } = ctx
  let preview: string | undefined
  try {
    preview = def.preview ? await def.preview({ args, ctx: cctx }) : undefined
  } catch (err) {
    // A dry run that cannot be made (an unknown skill, no rollback target) opens no request.
    if (!isUserError(err)) throw err
    auditRefusedRequest(ctx, errorMessage(err))
    ctx.outcome = 'replied'
    await ctx.reply(err.message)
    return
  }
  const now = services.now()
  const ttlMs = parseDuration(services.config.approvals.ttl) ?? 15 * 60_000
  const request = services.audit.transaction(() => {
    const created = services.approvals.create({
      command: def.name,
      args: args as Record<string, unknown>,
      requester: operator.staffId,
      requesterName: operator.name,
      conversationId: ctx.msg.conversationId,
      now,
      ttlMs,
    })
    services.audit.append({
      actor: operator.name,
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
  for (const staffId of services.operators.keys()) if (staffId !== operator.staffId) ctx.mentions.add(staffId)
  await announceApproval(ctx, request, now, preview)
}

// The request that could not be opened is still an operator's attempt: on the record as `rejected`.
function auditRefusedRequest(ctx: Context, reason: string): void {
  // The reason goes in `detail`: the args are the command's own, and may hold a `reason` of their own.
  auditRejected(ctx.services.audit, {
    actor: ctx.operator!.name,
    channel: 'dingtalk',
    action: ctx.command!.def.name,
    args: ctx.command!.args as Record<string, unknown>,
    detail: reason,
  })
}
