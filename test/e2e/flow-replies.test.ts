import { afterEach, describe, expect, it } from 'vitest'
import { Cleanup } from '../helpers/cleanup.js'
import { scrape } from '../helpers/metrics.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'
import { waitForEvent } from '../helpers/waits.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

describe('a reply that fails on the way', () => {
  it('retries a webhook answering 5xx and delivers the reply once', async () => {
    const r = await cleanup.router(startTestRouter())
    const failures = new Map<string, number>()
    // The first two POSTs of each message fail as a DingTalk edge under load does; the third is accepted.
    r.sim.setWebhookFault((msgId) => {
      const n = (failures.get(msgId) ?? 0) + 1
      failures.set(msgId, n)
      return n <= 2 ? 503 : undefined
    })
    const sent = r.sim.sendMessage({ text: 'ping' })
    const finished = settled(r, sent.msgId)
    expect((await r.sim.waitForReply({ msgId: sent.msgId }, 30_000)).text).toBe('pong')
    // The message is marked answered only after the delivered POST; then nothing more is sent.
    await finished
    expect(r.app.services.inbox.pending()).toEqual([])
    expect(r.sim.replies.filter((x) => x.msgId === sent.msgId)).toMatchObject([{ kind: 'webhook', text: 'pong' }])
    expect(failures.get(sent.msgId)).toBe(3)
    const m = await scrape(r.httpUrl)
    expect(m.get('router_reply_retries_total')).toBe(2)
    expect(m.get('router_reply_giveups_total')).toBe(0)
  })

  it('sends proactively once the webhook keeps failing until its session expires', async () => {
    const r = await cleanup.router(startTestRouter({ simOptions: { sessionTtlMs: 1500 } }))
    let posts = 0
    r.sim.setWebhookFault(() => {
      posts++
      return 502
    })
    const sent = r.sim.sendMessage({ text: 'ping', senderStaffId: 'user7' })
    const finished = settled(r, sent.msgId)
    const reply = await r.sim.waitForReply({ predicate: (x) => x.kind === 'oto' }, 30_000)
    expect(reply).toMatchObject({ kind: 'oto', text: 'pong' })
    expect(posts).toBeGreaterThanOrEqual(1)
    await finished
    expect(r.app.services.inbox.pending()).toEqual([])
    expect(r.sim.replies.filter((x) => x.text === 'pong')).toHaveLength(1)
    expect((await scrape(r.httpUrl)).get('router_reply_giveups_total')).toBe(0)
  })

  it('sends proactively, once, when every POST of a still-valid session fails', async () => {
    const r = await cleanup.router(startTestRouter())
    const posts = new Map<string, number>()
    // The session stays valid; only this message's POSTs fail, as one unlucky reply did under 10 % 503s.
    r.sim.setWebhookFault((msgId) => {
      posts.set(msgId, (posts.get(msgId) ?? 0) + 1)
      return 503
    })
    const sent = r.sim.sendMessage({ text: 'ping', senderStaffId: 'user8' })
    const finished = settled(r, sent.msgId)
    const reply = await r.sim.waitForReply({ predicate: (x) => x.kind === 'oto' }, 30_000)
    expect(reply).toMatchObject({ kind: 'oto', userIds: ['user8'], text: 'pong' })
    await finished
    // Five attempts (the first and four retries), then the OpenAPI; nothing is POSTed after it.
    expect(posts.get(sent.msgId)).toBe(5)
    expect(r.app.services.inbox.pending()).toEqual([])
    expect(r.sim.replies.filter((x) => x.text === 'pong')).toHaveLength(1)
    const m = await scrape(r.httpUrl)
    expect(m.get('router_reply_retries_total')).toBe(4)
    expect(m.get('router_reply_giveups_total')).toBe(0)
  })

  it('gives up on a reply the webhook refuses for good, and says so in the counters and error events', async () => {
    const r = await cleanup.router(startTestRouter())
    r.sim.setWebhookFault(() => 400)
    const sent = r.sim.sendMessage({ text: 'ping' })
    await settled(r, sent.msgId)
    expect(r.app.services.inbox.pending()).toEqual([])
    expect((await scrape(r.httpUrl)).get('router_reply_giveups_total')).toBe(1)
    // Recorded under the route the reply answered, and counted as an error of it.
    expect(r.app.services.events.list({ route: 'ping' })).toMatchObject([{ code: 'reply-rejected', count: 1 }])
    expect(r.sim.replies).toEqual([])
  })
})

/** Resolves once the router's worker finished with `msgId` (its reply delivered or given up on, the message marked). */
function settled(r: TestRouter, msgId: string, timeoutMs = 30_000): Promise<void> {
  const done = new Set<string>()
  const onDone = (id: string) => done.add(id)
  r.app.inbound.on('done', onDone)
  return waitForEvent(
    r.app.inbound,
    'done',
    () => done.has(msgId),
    timeoutMs,
    () => `${msgId} not finished`,
  ).finally(() => r.app.inbound.off('done', onDone))
}
