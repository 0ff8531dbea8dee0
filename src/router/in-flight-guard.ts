import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'

/**
 * Drops a message this process is already running: the inbox at the edge already refuses a msgId seen
 * before; this step keeps one process from running the same message twice at once (a resumed message racing
 * its redelivery), with the outcome `duplicate`. It records nothing: `observe` marks a message answered.
 */
export function inFlightGuard(): Middleware<Context> {
  const inFlight = new Set<string>()
  return async function inFlightGuard(ctx, next) {
    const { msgId } = ctx.msg
    if (inFlight.has(msgId)) {
      ctx.outcome = 'duplicate'
      return
    }
    inFlight.add(msgId)
    try {
      await next()
    } finally {
      inFlight.delete(msgId)
    }
  }
}
