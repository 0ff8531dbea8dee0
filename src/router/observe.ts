import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { errorMessage, isUserError } from '../errors.js'

/**
 * Outermost step: the one place that decides what is logged and what the user sees when anything below
 * throws, and that counts every message by route and outcome. A message is an error of its route when it
 * threw, when its outcome is `error` (an admin command that could not do what was asked, see run-command.ts),
 * when it was answered "please ask again" after waiting past `limits.maxQueueAge` (`stale`), or when
 * `ctx.failure` says a skill call or the reply failed even though an answer went out.
 */
export function observe(): Middleware<Context> {
  return async function observe(ctx, next) {
    try {
      await next()
    } catch (err) {
      ctx.outcome = 'error'
      if (isUserError(err)) {
        await safeReply(ctx, err.message)
      } else {
        ctx.services.events.record(
          { route: ctx.route, code: 'internal', message: `ref ${ctx.refId}: ${errorMessage(err)}` },
          ctx.services.now(),
        )
        ctx.log.error(
          {
            err: errorMessage(err),
            stack: err instanceof Error ? err.stack?.split('\n').slice(0, 6).join('\n') : undefined,
          },
          'message handling failed',
        )
        await safeReply(ctx, ctx.texts.router.internalError(ctx.refId))
      }
    } finally {
      const { metrics, inbox, now } = ctx.services
      // The one definition of a failed message, for the metric and for the error rate alike.
      const failed = ctx.outcome === 'error' || ctx.outcome === 'stale' || ctx.failure !== undefined
      metrics.messages.inc({ route: ctx.route, outcome: ctx.outcome })
      if (failed) metrics.errors.inc({ route: ctx.route })
      if (ctx.replyCount > 0) metrics.replyLatency.observe({ route: ctx.route }, (now() - ctx.receivedAt) / 1000)
      // A duplicate is the other run's to complete. Only now, after the reply was delivered or refused for good,
      // is the message marked answered, in the same write as its usage row.
      if (ctx.outcome !== 'duplicate')
        await inbox.completeSoon(ctx.msg.msgId, now, {
          route: ctx.route,
          isError: failed,
          fromFallback: ctx.outcome === 'fallback',
        })
    }
  }
}

async function safeReply(ctx: Context, text: string): Promise<void> {
  try {
    await ctx.reply(text)
  } catch (err) {
    ctx.log.error({ err: errorMessage(err) }, 'could not send the error reply')
  }
}
