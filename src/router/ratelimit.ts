import { DONE, type Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { adminStanding, senderActor } from './identity.js'
import { tallyText } from './refused-command.js'

// The `ratelimit` step: per-user, per-conversation and operator limits a minute; dropped commands are audited.

/** Fixed one-minute windows per key; a key gets one polite notice per window, then silence. */
class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number; noticed: boolean }>()

  constructor(private readonly limit: number) {}

  hit(key: string, now: number): 'ok' | 'notice' | 'drop' {
    let w = this.windows.get(key)
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 50_000) this.sweep(now)
      w = { start: now, count: 0, noticed: false }
      this.windows.set(key, w)
    }
    w.count++
    if (w.count <= this.limit) return 'ok'
    if (w.noticed) return 'drop'
    w.noticed = true
    return 'notice'
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(key)
  }
}

const COMMAND_NAME = /^\/([a-z][a-z0-9-]{0,39})/i

/**
 * Per-user and per-conversation rate limits from `limits` in the config. An operator in an admin
 * conversation has its own, higher limit (`limits.operatorPerMinute`) and does not use up the
 * conversation's, so an incident is never throttled by the people handling it. A dropped `/…` line is
 * never silent in the trail: it is counted per sender and minute and audited `rejected` (RefusalTally).
 */
export function ratelimit(limits: {
  perUserPerMinute: number
  perConversationPerMinute: number
  operatorPerMinute: number
}): Middleware<Context> {
  const users = new WindowCounter(limits.perUserPerMinute)
  const operators = new WindowCounter(limits.operatorPerMinute)
  const conversations = new WindowCounter(limits.perConversationPerMinute)
  // Not async, like the other steps that only check and hand on: an async step is a promise and a frame more
  // per message for the same result (see compose.ts).
  return function ratelimit(ctx, next) {
    const { msg, services } = ctx
    const now = services.now()
    const standing = adminStanding(msg, services)
    const sender = msg.senderStaffId ?? msg.senderId
    const user = standing.ok ? operators.hit(sender, now) : users.hit(sender, now)
    const conversation = user === 'ok' && !standing.ok ? conversations.hit(msg.conversationId, now) : 'ok'
    const verdict = user !== 'ok' ? user : conversation
    if (verdict === 'ok') return next()
    ctx.outcome = 'rate-limited'
    const scope = user === 'ok' ? 'conversation' : standing.ok ? 'operator' : 'user'
    services.metrics.rateLimited.inc({ scope })
    if (msg.text.startsWith('/')) {
      services.refusals.record(
        {
          actor: standing.ok ? standing.operator.name : senderActor(msg),
          reason: `rate-limited (${scope})`,
          command: COMMAND_NAME.exec(msg.text)?.[1]?.toLowerCase() ?? '?',
          conversationId: msg.conversationId,
          text: tallyText(msg.text),
        },
        now,
      )
      ctx.log.warn({ sender: msg.senderStaffId, scope }, 'dropped a command over the rate limit; audited')
    }
    return verdict === 'notice' ? ctx.reply(ctx.texts.router.rateLimited) : DONE
  }
}
