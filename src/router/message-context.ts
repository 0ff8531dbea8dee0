import type { Context, Services } from '../context.js'
import type { ReplyContent } from '../define.js'
import type { InboundMessage } from '../dingtalk/message.js'
import { newReferenceId } from '../errors.js'
import { textsFor } from '../i18n/catalogue.js'
import { localeOf } from '../i18n/locale.js'
import type { Logger } from '../logger.js'

/**
 * The context one message carries through the pipeline, built once when a worker takes it: its locale and
 * texts, one snapshot of the runtime state, and its reply function.
 * @example await pipeline(messageContext(services, job.msg, job.receivedAt))
 */
export function messageContext(services: Services, msg: InboundMessage, receivedAt: number): Context {
  const refId = newReferenceId()
  const locale = localeOf(msg.text, services.config.locale)
  let log: Logger | undefined
  const ctx: Context = {
    msg,
    // Made on first use: a pino child costs about 10 KB of garbage per message (its bindings go through
    // redaction), and at the usual levels most messages log nothing (measured with the bench's
    // allocation profile: the largest single allocator on the ping path).
    get log(): Logger {
      return (log ??= services.log.child({ msgId: msg.msgId, refId }))
    },
    refId,
    receivedAt,
    // Read once: every step of this message sees the same skill flags, incident mode and budgets.
    state: services.state.currentThisTurn(),
    services,
    locale,
    texts: textsFor(locale),
    route: 'unrouted',
    outcome: 'pending',
    replyCount: 0,
    mentions: new Set<string>(),
    reply: async (content: ReplyContent) => {
      ctx.replyCount++
      const outcome = await services.replies.send(msg, content, { mention: [...ctx.mentions], route: ctx.route })
      if (outcome !== 'sent' && outcome !== 'sent-proactively') {
        // Recorded under this route by the reply sender; counted as an error of this route by observe().
        ctx.failure ??= 'reply-undelivered'
        ctx.log.warn({ outcome, route: ctx.route }, 'reply not delivered')
      }
    },
  }
  return ctx
}
