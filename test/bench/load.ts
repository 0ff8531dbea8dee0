import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { DingTalkSimulator, RecordedReply, SimMessageInput } from '../../src/simulator/index.js'

/** A wait for replies gives up after this long without one. */
const IDLE_MS = 15_000
/** A paced run counts a reply as lost once it is this late (the router's own webhook timeout is 5 s). */
const LOST_AFTER_MS = 30_000

/** How many distinct senders the generator rotates through (each is its own one-to-one conversation). */
const SENDERS = 50

/** What the i-th message says: one text for all, or chosen per message (a mix of skills). */
export type MessageText = string | ((i: number) => string)

/** The i-th bench message: `text` from rotating end users, like many people using the bot at once. */
function userMessage(i: number, text: MessageText): SimMessageInput {
  return { text: typeof text === 'string' ? text : text(i), senderStaffId: `bench-u${i % SENDERS}` }
}

/**
 * Times every message sent through one simulator: frame written → ack received, and frame written →
 * first webhook reply, both with the bench process's monotonic clock (the simulator's own timestamps are
 * whole milliseconds). Listens to the simulator's `ack` and `reply` events only.
 */
export class Tracker {
  readonly ackMs: number[] = []
  readonly replyMs: number[] = []
  sent = 0
  acked = 0
  replied = 0
  firstSendAt = Number.NaN
  lastReplyAt = Number.NaN
  lastAckAt = Number.NaN
  /** Replies to a message that already had one: a message answered twice. */
  duplicates = 0
  private readonly byMessageId = new Map<string, number>()
  private readonly byMsgId = new Map<string, number>()
  /** Messages sent through this tracker that got their reply (to count a second one). */
  private readonly answered = new Set<string>()
  private waiters: Array<{ n: number; resolve: () => void }> = []
  /** Messages answered by a proactive one-to-one send (the webhook kept failing), counted in `replied`. */
  readonly answeredProactively = new Set<string>()
  /** Proactive one-to-one sends to a sender with no message left unanswered: a second answer to one of them. */
  orphanProactive = 0
  /** Per sender, its messages in send order (answered ones are skipped lazily); only with `countProactive`. */
  private readonly bySender = new Map<string, string[]>()

  /**
   * `countProactive`: a one-to-one OpenAPI send to a sender (which carries no msgId) answers that sender's
   * oldest unanswered message. The router falls back to it when the sessionWebhook keeps failing, and the
   * user does get the answer, so it is a reply, not a loss.
   */
  constructor(
    private readonly sim: DingTalkSimulator,
    private readonly opts: { countProactive?: boolean } = {},
  ) {
    sim.on('ack', this.onAck)
    sim.on('reply', this.onReply)
  }

  /** Send one message now and start its clocks. */
  send(input: SimMessageInput): void {
    const t = performance.now()
    if (this.sent === 0) this.firstSendAt = t
    const { msgId, messageId } = this.sim.sendMessage(input)
    this.byMessageId.set(messageId, t)
    this.byMsgId.set(msgId, t)
    this.sent++
    if (this.opts.countProactive && input.senderStaffId) {
      const list = this.bySender.get(input.senderStaffId) ?? []
      while (list.length > 0 && !this.byMsgId.has(list[0]!)) list.shift()
      list.push(msgId)
      this.bySender.set(input.senderStaffId, list)
    }
  }

  /** Replies given up on by {@link expire}. */
  lost = 0

  /** Messages sent whose reply has neither come nor been given up on. */
  get outstanding(): number {
    return this.byMsgId.size
  }

  /**
   * Gives up on replies older than `maxAgeMs` and counts them as lost, so a reply the system under test
   * dropped does not hold a slot of the generator's window forever. A reply arriving later is ignored.
   */
  expire(maxAgeMs: number): void {
    const cutoff = performance.now() - maxAgeMs
    // Insertion order is send order: stop at the first message young enough.
    for (const [msgId, t] of this.byMsgId) {
      if (t > cutoff) break
      this.byMsgId.delete(msgId)
      this.lost++
    }
  }

  /**
   * Resolves `true` once `n` replies have arrived, or `false` when `timeoutMs` passes or no reply came
   * for `idleMs` (a reply the system under test dropped never comes; waiting longer proves nothing).
   */
  waitForReplies(n: number, timeoutMs: number, idleMs = IDLE_MS): Promise<boolean> {
    if (this.replied >= n) return Promise.resolve(true)
    return new Promise((resolve) => {
      let seen = this.replied
      const done = (ok: boolean) => {
        clearTimeout(timer)
        clearInterval(idle)
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(ok)
      }
      const timer = setTimeout(() => done(false), timeoutMs)
      const idle = setInterval(() => {
        if (this.replied === seen) done(false)
        seen = this.replied
      }, idleMs)
      const waiter = { n, resolve: () => done(true) }
      this.waiters.push(waiter)
    })
  }

  /** Stop listening; the tracker keeps its numbers. */
  detach(): void {
    this.sim.off('ack', this.onAck)
    this.sim.off('reply', this.onReply)
  }

  private readonly onAck = (e: { messageId: string }): void => {
    const t0 = this.byMessageId.get(e.messageId)
    if (t0 === undefined) return
    this.byMessageId.delete(e.messageId)
    const now = performance.now()
    this.ackMs.push(now - t0)
    this.lastAckAt = now
    this.acked++
  }

  /** The oldest unanswered message of one of `userIds`, for a proactive send that names no msgId. */
  private proactiveTarget(r: RecordedReply): string | undefined {
    if (!this.opts.countProactive || r.kind !== 'oto') return undefined
    for (const user of r.userIds ?? []) {
      const list = this.bySender.get(user)
      while (list && list.length > 0) {
        const msgId = list.shift()!
        if (this.byMsgId.has(msgId)) return msgId
      }
    }
    return undefined
  }

  private readonly onReply = (r: RecordedReply): void => {
    if (r.msgId !== undefined && this.answered.has(r.msgId)) this.duplicates++
    const msgId = r.msgId ?? this.proactiveTarget(r)
    const t0 = msgId === undefined ? undefined : this.byMsgId.get(msgId)
    if (t0 === undefined || msgId === undefined) {
      // A proactive send to a sender with nothing left unanswered answers some message a second time.
      if (r.msgId === undefined && this.opts.countProactive && r.kind === 'oto') {
        this.orphanProactive++
        this.duplicates++
      }
      return
    }
    if (r.msgId === undefined) this.answeredProactively.add(msgId)
    this.byMsgId.delete(msgId)
    this.answered.add(msgId)
    const now = performance.now()
    this.replyMs.push(now - t0)
    this.lastReplyAt = now
    this.replied++
    if (this.waiters.length === 0) return
    const due = this.waiters.filter((w) => w.n <= this.replied)
    if (due.length === 0) return
    this.waiters = this.waiters.filter((w) => w.n > this.replied)
    for (const w of due) w.resolve()
  }
}

/** Result of one burst: every message sent as fast as the generator can, every reply awaited. */
export interface BurstResult {
  messages: number
  /** Replies that never came (the system under test dropped them); throughput counts only replies. */
  lost: number
  /** Messages answered more than once. */
  duplicates: number
  elapsedMs: number
  perSecond: number
}

/**
 * Sends `count` messages in batches, yielding to the event loop between batches so acks and replies are
 * taken in while sending, then waits for every reply. Throughput = messages / (first send → last reply).
 */
export async function burst(
  sim: DingTalkSimulator,
  count: number,
  text: MessageText,
  timeoutMs: number,
  batch = 100,
): Promise<BurstResult> {
  const tracker = new Tracker(sim)
  try {
    for (let i = 0; i < count; i++) {
      tracker.send(userMessage(i, text))
      if (i % batch === batch - 1) await yieldToLoop()
    }
    await tracker.waitForReplies(count, timeoutMs)
    const elapsedMs = tracker.lastReplyAt - tracker.firstSendAt
    const replied = tracker.replied
    return {
      messages: count,
      lost: count - replied,
      duplicates: tracker.duplicates,
      elapsedMs: Math.round(elapsedMs),
      perSecond: Math.round((replied / elapsedMs) * 1000),
    }
  } finally {
    tracker.detach()
  }
}

export interface PacedOptions {
  ratePerSecond: number
  count: number
  text: MessageText
  /** The pacing timer's period; each tick sends what is due by then. */
  tickMs?: number
  /** Stop offering more while this many messages await a reply (keeps an overloaded run bounded). */
  maxOutstanding?: number
  /** Longest the whole run (sending and the wait for the last replies) may take. */
  timeoutMs: number
  /** Called on the tick after every `everyReplies` replies, e.g. to sample memory. */
  onProgress?: (replied: number) => void
  everyReplies?: number
  /** Count a proactive one-to-one send to a sender as the reply to its oldest unanswered message. */
  countProactive?: boolean
}

export interface PacedResult {
  tracker: Tracker
  /** False when `timeoutMs` ran out first or replies were lost; the numbers cover what was answered. */
  completed: boolean
  offeredPerSecond: number
  achievedPerSecond: number
  sendMs: number
  /** Ticks where sending paused because too many messages were outstanding. */
  throttledTicks: number
}

/**
 * Offers a fixed load: a timer fires every `tickMs` and sends the messages due by then (so timer drift
 * is caught up, not lost), until `count` are sent; then waits for the remaining replies. Never rejects:
 * past `timeoutMs` it stops and reports `completed: false`.
 */
export async function paced(sim: DingTalkSimulator, o: PacedOptions): Promise<PacedResult> {
  const tracker = new Tracker(sim, { countProactive: o.countProactive })
  const tickMs = o.tickMs ?? 10
  const maxOutstanding = o.maxOutstanding ?? Number.POSITIVE_INFINITY
  const every = o.everyReplies ?? 0
  let nextProgress = every
  let throttledTicks = 0
  const start = performance.now()
  let sendEnd = start
  let completed = false
  try {
    completed = await new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => {
        clearInterval(timer)
        resolve(false)
      }, o.timeoutMs)
      const timer = setInterval(() => {
        const due = Math.min(o.count, Math.floor(((performance.now() - start) * o.ratePerSecond) / 1000)) - tracker.sent
        if (due > 0 && tracker.outstanding >= maxOutstanding) throttledTicks++
        for (let i = 0; i < due && tracker.outstanding < maxOutstanding; i++)
          tracker.send(userMessage(tracker.sent, o.text))
        if (tracker.sent >= o.count && sendEnd === start) sendEnd = performance.now()
        while (every > 0 && tracker.replied >= nextProgress && nextProgress <= o.count) {
          o.onProgress?.(nextProgress)
          nextProgress += every
        }
        tracker.expire(LOST_AFTER_MS)
        const finished = tracker.sent >= o.count && tracker.outstanding === 0
        // Everything sent and nothing answered for a while: the rest was dropped, stop waiting for it.
        const stalled =
          tracker.sent >= o.count && performance.now() - Math.max(sendEnd, tracker.lastReplyAt || 0) > IDLE_MS
        if (finished || stalled) {
          clearInterval(timer)
          clearTimeout(deadline)
          resolve(finished && tracker.lost === 0)
        }
      }, tickMs)
    })
  } finally {
    tracker.detach()
  }
  const sendMs = (sendEnd === start ? performance.now() : sendEnd) - start
  return {
    tracker,
    completed,
    offeredPerSecond: o.ratePerSecond,
    achievedPerSecond: Math.round((tracker.sent / sendMs) * 1000),
    sendMs: Math.round(sendMs),
    throttledTicks,
  }
}
