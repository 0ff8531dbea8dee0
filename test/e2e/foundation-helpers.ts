/**
 * Small event-driven waits shared by the foundation end-to-end tests (not a test file itself).
 * Every wait resolves on an event and rejects after a generous bound, so a loaded machine only slows it down.
 */
import { rmSync } from 'node:fs'
import type { RouterApp } from '../../src/app.js'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import type { DingTalkSimulator, RecordedReply, ReplyFilter } from '../../src/simulator/index.js'

export const WAIT_MS = 30_000

/** A promise with its resolve exposed, for handlers the test releases. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Resolves with the ack time once the simulator has the ack for that frame messageId. */
export function waitForAck(sim: DingTalkSimulator, messageId: string, timeoutMs = WAIT_MS): Promise<number> {
  const at = sim.ackedAt(messageId)
  if (at !== undefined) return Promise.resolve(at)
  return new Promise((resolve, reject) => {
    const onAck = (e: { messageId: string; at: number }) => {
      if (e.messageId !== messageId) return
      clearTimeout(timer)
      sim.off('ack', onAck)
      resolve(e.at)
    }
    const timer = setTimeout(() => {
      sim.off('ack', onAck)
      reject(new Error(`no ack for ${messageId} within ${timeoutMs} ms`))
    }, timeoutMs)
    sim.on('ack', onAck)
  })
}

/** Resolves once the stream has connected more than `connectsBefore` times and is connected now. */
export function waitForReconnect(app: RouterApp, connectsBefore: number, timeoutMs = WAIT_MS): Promise<void> {
  const done = () => app.stream.counters.connects > connectsBefore && app.stream.state === 'connected'
  if (done()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onState = () => {
      if (!done()) return
      clearTimeout(timer)
      app.stream.off('state', onState)
      resolve()
    }
    const timer = setTimeout(() => {
      app.stream.off('state', onState)
      reject(
        new Error(
          `no reconnect within ${timeoutMs} ms (connects ${app.stream.counters.connects}, state ${app.stream.state})`,
        ),
      )
    }, timeoutMs)
    app.stream.on('state', onState)
  })
}

/** Resolves with the first `count` replies matching `filter`, in order. */
export function waitForReplies(
  sim: DingTalkSimulator,
  filter: ReplyFilter,
  count: number,
  timeoutMs = WAIT_MS,
): Promise<RecordedReply[]> {
  const matching = () =>
    sim.replies.filter(
      (r) => (filter.msgId === undefined || r.msgId === filter.msgId) && (filter.predicate?.(r) ?? true),
    )
  if (matching().length >= count) return Promise.resolve(matching().slice(0, count))
  return new Promise((resolve, reject) => {
    const onReply = () => {
      if (matching().length < count) return
      clearTimeout(timer)
      sim.off('reply', onReply)
      resolve(matching().slice(0, count))
    }
    const timer = setTimeout(() => {
      sim.off('reply', onReply)
      reject(new Error(`only ${matching().length} of ${count} replies within ${timeoutMs} ms`))
    }, timeoutMs)
    sim.on('reply', onReply)
  })
}

/** A skill that counts its runs: `count` answers `counted <n>`. */
export function countingSkill(name = 'count'): { skill: SkillDefinition<unknown>; runs: () => number } {
  let runs = 0
  const skill = defineSkill({
    name,
    description: 'Counts how often it ran (tests)',
    example: name,
    match: new RegExp(`^${name}$`),
    risk: 'read',
    handler: () => `counted ${++runs}`,
  }) as SkillDefinition<unknown>
  return { skill, runs: () => runs }
}

/**
 * A skill whose handler waits until the test releases it. `started` resolves when the handler runs;
 * `release(text)` lets it answer.
 */
export function gatedSkill(name = 'slow', timeoutMs = 20_000) {
  let started = deferred()
  let gate = deferred<string>()
  let pending = 0
  const skill = defineSkill({
    name,
    description: 'Answers when the test says so (tests)',
    example: name,
    match: new RegExp(`^${name}$`),
    risk: 'read',
    timeoutMs,
    handler: async () => {
      pending++
      started.resolve()
      try {
        return await gate.promise
      } finally {
        pending--
      }
    },
  }) as SkillDefinition<unknown>
  return {
    skill,
    started: () => started.promise,
    pending: () => pending,
    release(text = `${name} done`) {
      gate.resolve(text)
      gate = deferred<string>()
      started = deferred()
    },
  }
}

/** Runs cleanups in reverse order, each once, even when one fails. */
export class Cleanup {
  private readonly fns: (() => unknown)[] = []

  add<T>(value: T, fn: (value: T) => unknown): T {
    this.fns.push(() => fn(value))
    return value
  }

  /** Stops the router when the test ends, then removes its temporary folder. */
  async router<T extends { dir: string; stop(): Promise<void> }>(started: Promise<T> | T): Promise<T> {
    const r = await started
    this.add(r.dir, removeDir)
    return this.add(r, (t) => t.stop())
  }

  async run(): Promise<void> {
    const errors: unknown[] = []
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        await fn()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length > 0) throw errors[0]
  }
}

/** Removes a temporary folder; missing is fine. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
