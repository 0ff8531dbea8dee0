/**
 * Every event-driven wait of the suite in one place. Each resolves on an event (or a condition checked after
 * each event) and rejects after {@link PATIENCE}, so a loaded machine only slows a test down, never fails it.
 */
import type { RouterApp } from '../../src/app.js'
import type { DingTalkSimulator, RecordedReply, ReplyFilter } from '../../src/simulator/index.js'
import { PATIENCE } from './patience.js'

/**
 * Resolves as soon as `done()` holds, checking it now and after each `event` on `emitter`; rejects after
 * `timeoutMs` with `describe()`.
 * @example await waitForEvent(sim, 'ack', () => sim.isAcked(id), PATIENCE, () => `${id} un-acked`)
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

/** Resolves when the stream reaches `state` (immediately if it is there). */
export function waitForState(app: RouterApp, state: string, timeoutMs = PATIENCE): Promise<void> {
  return waitForEvent(
    app.stream,
    'state',
    () => app.stream.state === state,
    timeoutMs,
    () => `stream did not reach ${state} (now ${app.stream.state})`,
  )
}

/** Resolves once the stream has connected more than `connectsBefore` times and is connected now. */
export function waitForReconnect(app: RouterApp, connectsBefore: number, timeoutMs = PATIENCE): Promise<void> {
  return waitForEvent(
    app.stream,
    'state',
    () => app.stream.counters.connects > connectsBefore && app.stream.state === 'connected',
    timeoutMs,
    () => `no reconnect (connects ${app.stream.counters.connects}, state ${app.stream.state})`,
  )
}

/** Resolves with the ack time once the simulator has the ack for that frame messageId. */
export async function waitForAck(sim: DingTalkSimulator, messageId: string, timeoutMs = PATIENCE): Promise<number> {
  await waitForEvent(
    sim,
    'ack',
    () => sim.ackedAt(messageId) !== undefined,
    timeoutMs,
    () => `no ack for ${messageId}`,
  )
  return sim.ackedAt(messageId)!
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

/** Resolves with the first `count` replies matching `filter`, in order. */
export async function waitForReplies(
  sim: DingTalkSimulator,
  filter: ReplyFilter,
  count: number,
  timeoutMs = PATIENCE,
): Promise<RecordedReply[]> {
  const matching = () =>
    sim.replies.filter(
      (r) => (filter.msgId === undefined || r.msgId === filter.msgId) && (filter.predicate?.(r) ?? true),
    )
  await waitForEvent(
    sim,
    'reply',
    () => matching().length >= count,
    timeoutMs,
    () => `only ${matching().length} of ${count} replies`,
  )
  return matching().slice(0, count)
}

/**
 * Polls a condition until it holds: only for state that changes without an event to wait on (metrics,
 * SQLite rows, the last step of a message after its reply).
 * @example await waitUntil(() => api.requests.length === 2)
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = PATIENCE,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waitUntil: ${what} did not hold within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Resolves once the router has no message in its pipeline. A reply is recorded by the simulator before the
 * router hears back and marks the message done, so "all replied" alone does not mean "all done".
 */
export function waitIdle(r: { app: RouterApp }, timeoutMs = PATIENCE): Promise<void> {
  return waitUntil(
    () => r.app.inbound.inFlightCount === 0,
    timeoutMs,
    `no message in flight (still ${r.app.inbound.inFlightCount})`,
  )
}

/** `p`, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(p: Promise<T>, what: string, ms = PATIENCE): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, bound])
  } finally {
    clearTimeout(timer)
  }
}
