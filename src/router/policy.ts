import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'

/** The same words for every refused command, so a refusal reveals nothing about the configuration. */
export const COMMAND_REFUSAL = 'Sorry, that command is not available here.'
const USER_REFUSAL = 'Sorry, you are not allowed to use this bot. Ask your on-call team for access.'

/**
 * Who may do what. A `/command` runs only when it comes from an admin conversation AND from an
 * allowlisted operator's staffId (DingTalk's `isAdmin` grants nothing); any other is refused and audited.
 * Everything else is an end-user message, checked against the user allowlist.
 */
export function policy(): Middleware<Context> {
  return async function policy(ctx, next) {
    const { msg, services } = ctx
    const { config } = services
    if (ctx.commandParse) {
      const operator = msg.senderStaffId ? services.operators.get(msg.senderStaffId) : undefined
      const inAdminConversation = config.adminConversations.includes(msg.conversationId)
      if (!operator || !inAdminConversation) {
        ctx.outcome = 'refused'
        ctx.route = 'admin-refused'
        const name = ctx.commandParse.ok ? ctx.commandParse.command.name : (ctx.commandParse.name ?? '?')
        services.audit.append({
          actor: msg.senderStaffId ? `staff:${msg.senderStaffId}` : `sender:${msg.senderId.slice(0, 64)}`,
          channel: 'dingtalk',
          action: name.slice(0, 40),
          args: {
            conversationId: msg.conversationId,
            reason: !operator ? 'not an operator' : 'not an admin conversation',
            ...(msg.text.length <= 80 ? { text: msg.text } : { textLength: msg.text.length }),
          },
          outcome: 'rejected',
        })
        ctx.log.warn(
          { sender: msg.senderStaffId, conversationId: msg.conversationId, command: name.slice(0, 40) },
          'refused an admin command',
        )
        await ctx.reply(COMMAND_REFUSAL)
        return
      }
      ctx.operator = operator
      return next()
    }
    const allow = config.users.allow
    const staffId = msg.senderStaffId
    const allowed = staffId
      ? allow.includes('*') || allow.includes(staffId) || services.operators.has(staffId)
      : config.users.allowExternal
    if (!allowed) {
      ctx.outcome = 'refused'
      await ctx.reply(USER_REFUSAL)
      return
    }
    return next()
  }
}
