import type { DingTalkSimulator, RecordedReply } from '../../src/simulator/index.js'
import type { SutChild } from './child.js'
import { paced } from './load.js'
import { summarize } from './stats.js'

export interface FaultResult {
  messages: number
  ratePerSecond: number
  /** Every `failEvery`-th webhook POST answers 503 (10 % with 10). */
  failEvery: number
  posts: number
  failedPosts: number
  replied: number
  lost: number
  /** Messages that got more than one reply. */
  answeredTwice: number
  ackP99: number
  replyP50: number
  replyP99: number
}

/**
 * The router at a paced load while the sessionWebhook answers HTTP 503 to one POST in `failEvery`: every
 * message must still be answered, and none twice (the router retries with backoff). Replies are counted
 * per msgId until the child is idle again, so a late second reply is seen too.
 */
export async function faultPhase(
  sim: DingTalkSimulator,
  child: SutChild,
  o: { messages: number; rate: number; failEvery: number; tickMs: number },
): Promise<FaultResult> {
  let posts = 0
  let failedPosts = 0
  sim.setWebhookFault(() => {
    posts++
    if (posts % o.failEvery !== 0) return undefined
    failedPosts++
    return 503
  })
  const replies = new Map<string, number>()
  const onReply = (r: RecordedReply) => {
    if (r.msgId) replies.set(r.msgId, (replies.get(r.msgId) ?? 0) + 1)
  }
  sim.on('reply', onReply)
  try {
    await child.waitIdle()
    const r = await paced(sim, {
      ratePerSecond: o.rate,
      count: o.messages,
      text: 'ping',
      tickMs: o.tickMs,
      timeoutMs: (o.messages / o.rate) * 1000 + 60_000,
    })
    await child.waitIdle()
    const ack = summarize(r.tracker.ackMs)
    const reply = summarize(r.tracker.replyMs)
    return {
      messages: o.messages,
      ratePerSecond: o.rate,
      failEvery: o.failEvery,
      posts,
      failedPosts,
      replied: r.tracker.replied,
      lost: o.messages - r.tracker.replied,
      answeredTwice: [...replies.values()].filter((n) => n > 1).length,
      ackP99: ack.p99,
      replyP50: reply.p50,
      replyP99: reply.p99,
    }
  } finally {
    sim.off('reply', onReply)
    sim.setWebhookFault(undefined)
  }
}
