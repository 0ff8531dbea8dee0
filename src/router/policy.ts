import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { adminStanding, senderActor } from './identity.js'
import { auditRefusedCommand, tallyText } from './refused-command.js'

/**
 * Who may do what. A `/command` runs only for an allowlisted operator of the bot's own org in an admin
 * conversation (DingTalk's `isAdmin` grants nothing; see identity.ts); any other is refused and audited.
 * An operator outside an admin conversation gets an entry per attempt; anyone else's attempts are counted
 * per sender and minute (RefusalTally), so an org member cannot flood the trail.
 * Everything else is an end-user message, checked against the user allowlist.
 */
export function policy(): Middleware<Context> {
  // Not async: a step that only checks and hands on needs no promise and frame of its own (see compose.ts).
  return function policy(ctx, next) {
    const { msg, services } = ctx
    const { config } = services
    if (ctx.commandParse) {
      const standing = adminStanding(msg, services)
      if (!standing.ok) {
        ctx.outcome = 'refused'
        ctx.route = 'admin-refused'
        const name = (ctx.commandParse.ok ? ctx.commandParse.command.name : (ctx.commandParse.name ?? '?')).slice(0, 40)
        if (standing.operator) {
          auditRefusedCommand(services.audit, msg, senderActor(msg), name, standing.reason)
        } else {
          services.refusals.record(
            {
              actor: senderActor(msg),
              reason: standing.reason,
              command: name,
              conversationId: msg.conversationId,
              text: tallyText(msg.text),
              senderCorpId: standing.reason === 'sender from another org' ? (msg.senderCorpId ?? 'none') : undefined,
            },
            services.now(),
          )
        }
        ctx.log.warn(
          { sender: msg.senderStaffId, conversationId: msg.conversationId, command: name, reason: standing.reason },
          'refused an admin command',
        )
        return ctx.reply(ctx.texts.router.commandRefused)
      }
      ctx.operator = standing.operator
      return next()
    }
    const allow = config.users.allow
    const staffId = msg.senderStaffId
    const allowed = staffId
      ? allow.includes('*') || allow.includes(staffId) || services.operators.has(staffId)
      : config.users.allowExternal
    if (!allowed) {
      ctx.outcome = 'refused'
      return ctx.reply(ctx.texts.router.notAllowed)
    }
    return next()
  }
}
