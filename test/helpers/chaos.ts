/**
 * Shared pieces of the chaos, fuzz and security suites: a router tuned for bursts, the exactly-once
 * bookkeeping of a burst, and the traps that catch hostile input escaping its handlers.
 */
import type { RouterConfig } from '../../src/config.js'
import type { DingTalkSimulator, RecordedReply, SentMessage, SimMessageInput } from '../../src/simulator/index.js'
import { NO_RATE_LIMITS } from './limits.js'
import { PATIENCE } from './patience.js'
import { OP1, OPS, startTestRouter, type TestRouter, type TestRouterOptions } from './router.js'
import { waitForEvent } from './waits.js'

/**
 * The real router against its own simulator, with burst-friendly limits, fast reconnects and a short
 * redelivery delay; resolves once the stream is connected.
 * @example const r = await startChaosRouter({ dingtalk: { livenessIntervalMs: 200 } })
 */
export async function startChaosRouter(
  opts: { dingtalk?: Partial<RouterConfig['dingtalk']>; redeliveryDelayMs?: number; router?: TestRouterOptions } = {},
): Promise<TestRouter> {
  return startTestRouter({
    simOptions: {
      redeliveryDelayMs: opts.redeliveryDelayMs ?? 400,
      redeliveryCount: 500,
      disconnectCloseDelayMs: 2000,
    },
    ...opts.router,
    configure: (c) => {
      const tuned: RouterConfig = {
        ...c,
        limits: { ...c.limits, ...NO_RATE_LIMITS },
        dingtalk: { ...c.dingtalk, reconnectBaseMs: 50, reconnectMaxMs: 400, ...opts.dingtalk },
      }
      return opts.router?.configure ? opts.router.configure(tuned) : tuned
    },
  })
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
