/**
 * Shared pieces of the chaos, fuzz and security suites (not a test file itself): a router tuned for
 * bursts, event-driven waits with generous bounds, and the exactly-once bookkeeping of a burst.
 * Every wait resolves on an event and rejects after a bound far above normal, so a loaded machine only
 * slows a test down.
 */
import type { RouterConfig } from '../../src/config.js'
import type { DingTalkSimulator, RecordedReply, SentMessage, SimMessageInput } from '../../src/simulator/index.js'
import { OP1, OPS, startTestRouter, waitForState, type TestRouter, type TestRouterOptions } from '../helpers/router.js'

import { PATIENCE } from '../helpers/patience.js'

export { PATIENCE }

/** Limits high enough that a burst of a few hundred messages is never rate-limited. */
const NO_RATE_LIMITS = { perUserPerMinute: 10_000, perConversationPerMinute: 100_000 }

/**
 * The real router against its own simulator, with burst-friendly limits, fast reconnects and a short
 * redelivery delay; resolves once the stream is connected.
 * @example const r = await startChaosRouter({ dingtalk: { livenessIntervalMs: 200 } })
 */
export async function startChaosRouter(
  opts: { dingtalk?: Partial<RouterConfig['dingtalk']>; redeliveryDelayMs?: number; router?: TestRouterOptions } = {},
): Promise<TestRouter> {
  const r = await startTestRouter({
    simOptions: {
      redeliveryDelayMs: opts.redeliveryDelayMs ?? 400,
      redeliveryCount: 500,
      disconnectCloseDelayMs: 2000,
    },
    ...opts.router,
    connect: false,
    configure: (c) => {
      const tuned: RouterConfig = {
        ...c,
        limits: { ...c.limits, ...NO_RATE_LIMITS },
        dingtalk: { ...c.dingtalk, reconnectBaseMs: 50, reconnectMaxMs: 400, ...opts.dingtalk },
      }
      return opts.router?.configure ? opts.router.configure(tuned) : tuned
    },
  })
  try {
    await waitForState(r.app, 'connected', PATIENCE)
  } catch (err) {
    await r.stop()
    throw err
  }
  return r
}

/** One message of a burst and the reply it must get. */
export interface BurstMessage extends SentMessage {
  expect: (reply: RecordedReply) => boolean
  kind: 'ping' | 'whoami'
}

/**
 * The i-th message of a burst: mostly `ping` from a handful of users, every tenth an operator's audited
 * `/whoami` in the ops group (so the audit chain is written to while the faults happen).
 */
function burstInput(i: number): { input: SimMessageInput; kind: BurstMessage['kind'] } {
  if (i % 10 === 9)
    return { input: { text: '/whoami', senderStaffId: OP1.staffId, conversationId: OPS }, kind: 'whoami' }
  return { input: { text: 'ping', senderStaffId: `user${(i % 5) + 1}` }, kind: 'ping' }
}

/** Sends burst message `i` and remembers what its reply must say. */
export function sendBurstMessage(sim: DingTalkSimulator, i: number): BurstMessage {
  const { input, kind } = burstInput(i)
  const sent = sim.sendMessage(input)
  const expect =
    kind === 'ping' ? (r: RecordedReply) => r.text === 'pong' : (r: RecordedReply) => r.text.includes(OP1.staffId)
  return { ...sent, kind, expect }
}

/** Replies per msgId, counted live from the simulator. */
export class ReplyCounter {
  readonly counts = new Map<string, number>()
  private readonly unsubscribe: () => void

  constructor(private readonly sim: DingTalkSimulator) {
    for (const r of sim.replies) this.add(r)
    const onReply = (r: RecordedReply) => this.add(r)
    sim.on('reply', onReply)
    this.unsubscribe = () => sim.off('reply', onReply)
  }

  private add(r: RecordedReply): void {
    if (r.kind === 'webhook' && r.msgId) this.counts.set(r.msgId, (this.counts.get(r.msgId) ?? 0) + 1)
  }

  /** Resolves once every msgId has at least one reply. */
  waitAll(msgIds: readonly string[], timeoutMs = PATIENCE): Promise<void> {
    const missing = () => msgIds.filter((id) => !this.counts.has(id))
    return waitForEvent(
      this.sim,
      'reply',
      () => missing().length === 0,
      timeoutMs,
      () => `${missing().length} of ${msgIds.length} messages still without a reply`,
    )
  }

  stop(): void {
    this.unsubscribe()
  }
}

/** Resolves once the simulator has an ack for every frame messageId (then nothing will be redelivered). */
export function waitAllAcked(
  sim: DingTalkSimulator,
  messageIds: readonly string[],
  timeoutMs = PATIENCE,
): Promise<void> {
  const unacked = () => messageIds.filter((id) => !sim.isAcked(id))
  return waitForEvent(
    sim,
    'ack',
    () => unacked().length === 0,
    timeoutMs,
    () => `${unacked().length} of ${messageIds.length} frames still un-acked`,
  )
}

/**
 * Resolves as soon as `done()` holds, checking it now and after each `event` on `emitter`; rejects after
 * `timeoutMs` with `describe()`.
 */
export function waitForEvent(
  emitter: NodeJS.EventEmitter,
  event: string,
  done: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  if (done()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done()) return
      clearTimeout(timer)
      emitter.off(event, check)
      resolve()
    }
    const timer = setTimeout(() => {
      emitter.off(event, check)
      reject(new Error(`not within ${timeoutMs} ms: ${describe()}`))
    }, timeoutMs)
    emitter.on(event, check)
  })
}

/**
 * Resolves once the router has no message in its pipeline. A reply is recorded by the simulator before the
 * router hears back and marks the message done, so "all replied" alone does not mean "all done". There is no
 * event for that last step: this re-checks on a short timer, bounded by `timeoutMs`.
 */
export async function waitIdle(r: TestRouter, timeoutMs = PATIENCE): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (r.app.inbound.inFlightCount > 0) {
    if (Date.now() > deadline)
      throw new Error(`router still has ${r.app.inbound.inFlightCount} messages in flight after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Collects uncaught exceptions and unhandled rejections while a hostile-input test runs in this process
 * (the router under test shares it); call the returned function to stop listening.
 * @example const errors = trapProcessErrors(); ...; expect(errors.stop()).toEqual([])
 */
export function trapProcessErrors(): { errors: unknown[]; stop(): unknown[] } {
  const errors: unknown[] = []
  const onError = (err: unknown) => errors.push(err)
  process.on('uncaughtException', onError)
  process.on('unhandledRejection', onError)
  return {
    errors,
    stop() {
      process.off('uncaughtException', onError)
      process.off('unhandledRejection', onError)
      return errors
    },
  }
}

/** Log lines that mean hostile input reached a code path it should not: an internal error or an escaped one. */
export function internalErrorLines(r: TestRouter): Record<string, unknown>[] {
  return r.logs
    .records()
    .filter(
      (l) =>
        l.msg === 'pipeline failed outside its error handler' ||
        l.msg === 'message handling failed' ||
        l.msg === 'frame handler failed' ||
        String(l.msg).includes('(contained)'),
    )
}

/** Lets pending I/O run between chunks of a burst, so faults land while frames are in flight. */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * The exactly-once checks every chaos test ends with: each message one reply, the right one; the inbox has
 * nothing left pending; the audit chain verifies.
 */
export function exactlyOnceReport(r: TestRouter, sent: readonly BurstMessage[], counter: ReplyCounter) {
  const wrong: string[] = []
  const counts = sent.map((m) => counter.counts.get(m.msgId) ?? 0)
  for (const m of sent) {
    const replies = r.sim.replies.filter((x) => x.msgId === m.msgId)
    if (replies.length > 0 && !m.expect(replies[0]!))
      wrong.push(`${m.kind} ${m.msgId}: ${replies[0]!.text.slice(0, 80)}`)
  }
  return {
    lost: counts.filter((n) => n === 0).length,
    duplicated: counts.filter((n) => n > 1).length,
    wrong,
    pending: r.app.services.inbox.pending().length,
    audit: r.app.services.audit.verify(),
  }
}
