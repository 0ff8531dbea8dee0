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
  /** Of `replied`, answered by a proactive one-to-one send after the webhook POSTs kept failing. */
  repliedProactively: number
  /** Replies the router itself gave up on, from its `router_reply_giveups_total` (undefined: not scraped). */
  routerGiveUps?: number
  lost: number
  /** Messages that got more than one reply. */
  answeredTwice: number
  ackP99: number
  replyP50: number
  replyP99: number
}

/** A counter's value from the child's `/metrics`, or undefined when it cannot be read. */
async function scrapeCounter(child: SutChild, name: string): Promise<number | undefined> {
  if (child.httpPort === undefined) return undefined
  try {
    const text = await (await fetch(`http://127.0.0.1:${child.httpPort}/metrics`)).text()
    const line = text.split('\n').find((l) => l.startsWith(`${name} `))
    return line === undefined ? undefined : Number(line.slice(name.length + 1))
  } catch {
    return undefined
  }
}

/**
 * The router at a paced load while the sessionWebhook answers HTTP 503 to one POST in `failEvery`: every
 * message must still be answered, and none twice (the router retries with backoff, then sends
 * proactively). Webhook replies are counted per msgId until the child is idle again, so a late second
 * reply is seen too; a proactive one-to-one send answers its sender's oldest unanswered message (it names
 * no msgId), and one arriving after every message was answered is a second answer.
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
  let runDone = false
  let lateProactive = 0
  const onReply = (r: RecordedReply) => {
    if (r.msgId) replies.set(r.msgId, (replies.get(r.msgId) ?? 0) + 1)
    else if (runDone && r.kind === 'oto') lateProactive++
  }
  sim.on('reply', onReply)
  try {
    await child.waitIdle()
    const giveUpsBefore = await scrapeCounter(child, 'router_reply_giveups_total')
    const r = await paced(sim, {
      ratePerSecond: o.rate,
      count: o.messages,
      text: 'ping',
      tickMs: o.tickMs,
      timeoutMs: (o.messages / o.rate) * 1000 + 60_000,
      countProactive: true,
    })
    runDone = true
    await child.waitIdle()
    const giveUpsAfter = await scrapeCounter(child, 'router_reply_giveups_total')
    const ack = summarize(r.tracker.ackMs)
    const reply = summarize(r.tracker.replyMs)
    return {
      messages: o.messages,
      ratePerSecond: o.rate,
      failEvery: o.failEvery,
      posts,
      failedPosts,
      replied: r.tracker.replied,
      repliedProactively: r.tracker.answeredProactively.size,
      routerGiveUps:
        giveUpsBefore === undefined || giveUpsAfter === undefined ? undefined : giveUpsAfter - giveUpsBefore,
      lost: o.messages - r.tracker.replied,
      // Twice by webhook, by proactive send and webhook, or a proactive send with nothing left to answer.
      answeredTwice:
        [...replies].filter(([msgId, n]) => n > 1 || r.tracker.answeredProactively.has(msgId)).length +
        r.tracker.orphanProactive +
        lateProactive,
      ackP99: ack.p99,
      replyP50: reply.p50,
      replyP99: reply.p99,
    }
  } finally {
    sim.off('reply', onReply)
    sim.setWebhookFault(undefined)
  }
}
