import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Context } from '../../../src/context.js'
import { UserError } from '../../../src/errors.js'
import { observe } from '../../../src/router/observe.js'
import { middlewareHarness } from '../../helpers/pipeline-context.js'

// observe() on its own: the one place that counts every message by route and outcome, decides what a user
// sees when anything below throws, and marks the message answered in the inbox.

let h: ReturnType<typeof middlewareHarness>
beforeEach(() => {
  h = middlewareHarness()
})
afterEach(() => h.close())

/** A context whose message is stored in the inbox, as the edge stores it before the ack. */
function storedContext(text = 'ping'): Context {
  const msg = h.message(text)
  expect(h.services.inbox.receive(msg.msgId, '{}', h.services.now())).toBe('new')
  return h.context(msg)
}

async function counted(metric: 'messages' | 'errors', labels: Record<string, string>): Promise<number> {
  const { values } = await h.services.metrics[metric].get()
  const matches = (have: Record<string, string | number | undefined>) =>
    Object.entries(labels).every(([k, l]) => have[k] === l)
  return values.find((v) => matches(v.labels))?.value ?? 0
}

const pendingIds = () => h.services.inbox.pending().map((p) => p.msgId)
const errorRate = () => h.services.usage.errorRate(h.services.now())

describe('observe', () => {
  it('counts an answered message under its route and outcome, and marks it answered', async () => {
    const ctx = storedContext()
    await h.run(observe(), ctx, async (c) => {
      c.route = 'ping'
      c.outcome = 'replied'
      await c.reply('pong')
    })
    expect(await counted('messages', { route: 'ping', outcome: 'replied' })).toBe(1)
    expect(await counted('errors', { route: 'ping' })).toBe(0)
    expect(pendingIds()).toEqual([])
    expect(errorRate()).toMatchObject({ messages: 1, errors: 0 })
  })

  it('answers an internal error with a reference only, records it as an error event, and logs the cause', async () => {
    const ctx = storedContext()
    await h.run(observe(), ctx, (c) => {
      c.route = 'ping'
      throw new Error('database is locked')
    })
    expect(ctx.outcome).toBe('error')
    expect(h.replies.texts()).toEqual([`Something went wrong on our side. Reference: ${ctx.refId}`])
    expect(h.services.events.list()).toMatchObject([
      { route: 'ping', code: 'internal', message: `ref ${ctx.refId}: database is locked` },
    ])
    expect(h.logs.records()).toContainEqual(
      expect.objectContaining({ msg: 'message handling failed', err: 'database is locked', refId: ctx.refId }),
    )
    expect(await counted('errors', { route: 'ping' })).toBe(1)
    expect(errorRate()).toMatchObject({ messages: 1, errors: 1 })
    expect(pendingIds()).toEqual([])
  })

  it('shows a user error’s own words, and records no internal event', async () => {
    const ctx = storedContext('/enable-skill nope')
    await h.run(observe(), ctx, () => {
      throw new UserError('There is no skill "nope".')
    })
    expect(h.replies.texts()).toEqual(['There is no skill "nope".'])
    expect(h.services.events.list()).toEqual([])
    expect(ctx.outcome).toBe('error')
  })

  it('counts a message answered from a fallback as an error of its route, and as a fallback', async () => {
    const ctx = storedContext()
    await h.run(observe(), ctx, (c) => {
      c.route = 'status-api'
      c.outcome = 'fallback'
      c.failure = 'skill-failed'
    })
    expect(await counted('errors', { route: 'status-api' })).toBe(1)
    expect(errorRate()).toMatchObject({ messages: 1, errors: 1, fallbacks: 1 })
  })

  it('counts a reply DingTalk did not take as an error, though the outcome says replied', async () => {
    h.replies.outcome = 'failed'
    const ctx = storedContext()
    await h.run(observe(), ctx, async (c) => {
      c.route = 'ping'
      c.outcome = 'replied'
      await c.reply('pong')
    })
    expect(ctx.failure).toBe('reply-undelivered')
    expect(await counted('messages', { route: 'ping', outcome: 'replied' })).toBe(1)
    expect(await counted('errors', { route: 'ping' })).toBe(1)
  })

  it('leaves a duplicate for the run that owns it: counted, but not marked answered', async () => {
    const ctx = storedContext()
    await h.run(observe(), ctx, (c) => {
      c.outcome = 'duplicate'
    })
    expect(await counted('messages', { route: 'unrouted', outcome: 'duplicate' })).toBe(1)
    expect(pendingIds()).toEqual([ctx.msg.msgId])
  })
})
