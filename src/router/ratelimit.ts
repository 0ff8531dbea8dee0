import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'

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

/** Per-user and per-conversation rate limits from `limits` in the config. */
export function ratelimit(limits: { perUserPerMinute: number; perConversationPerMinute: number }): Middleware<Context> {
  const users = new WindowCounter(limits.perUserPerMinute)
  const conversations = new WindowCounter(limits.perConversationPerMinute)
  return async function ratelimit(ctx, next) {
    const now = ctx.services.now()
    const user = users.hit(ctx.msg.senderStaffId ?? ctx.msg.senderId, now)
    const conversation = user === 'ok' ? conversations.hit(ctx.msg.conversationId, now) : 'ok'
    const verdict = user !== 'ok' ? user : conversation
    if (verdict === 'ok') return next()
    ctx.outcome = 'rate-limited'
    ctx.services.metrics.rateLimited.inc({ scope: user !== 'ok' ? 'user' : 'conversation' })
    if (verdict === 'notice')
      await ctx.reply('You are sending messages faster than I can take them. Please wait a minute and try again.')
  }
}
