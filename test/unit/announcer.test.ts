// The announcer against a refusing OpenAPI: backoff on the injected clock, visible while unsent, sent once.
import { afterEach, describe, expect, it } from 'vitest'
import { Announcer } from '../../src/announcer.js'
import { OpenApiClient } from '../../src/dingtalk/openapi.js'
import type { RecordedReply } from '../../src/simulator/index.js'
import { collectStatus } from '../../src/status.js'
import { OUTBOX_RETRY, outboxRetryDelayMs } from '../../src/store/outbox.js'
import { Cleanup } from '../helpers/cleanup.js'
import { FLOW_CONTROLLED, ROBOT_NOT_IN_GROUP, startOpenApiFront, type OpenApiFront } from '../helpers/openapi-front.js'
import { PATIENCE } from '../helpers/patience.js'
import { startSimulator } from '../helpers/router.js'
import { testServices } from '../helpers/services.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const OPS = 'cid-ops'
const OPS_2 = 'cid-ops-2'
const HOUR = 3_600_000

/** An announcer wired as app.ts wires it, on real stores and the real OpenAPI client, with a clock the test moves. */
async function setup(adminConversations = [OPS]) {
  let clock = Date.parse('2026-03-01T08:00:00Z')
  const t = cleanup.add(testServices({ now: () => clock }), (s) => s.close())
  const sim = await startSimulator(cleanup)
  const front: OpenApiFront = await startOpenApiFront(cleanup, sim)
  const { services } = t
  // The same line as app.ts: the gauge reads the table at scrape time.
  services.metrics.outboxSource.backlog = () => services.outbox.backlog()
  const announcer = new Announcer({
    outbox: services.outbox,
    events: services.events,
    openapi: new OpenApiClient({
      apiBase: front.url,
      appKey: sim.clientId,
      appSecret: sim.clientSecret,
      robotCode: sim.robotCode,
      log: services.log,
    }),
    adminConversations,
    log: services.log,
    now: () => clock,
    isConnected: () => true,
    head: () => services.audit.head(),
    title: 'Router notice',
  })
  cleanup.add(announcer, (a) => a.stop())
  const gauge = async (state: 'waiting' | 'undelivered') =>
    (await services.metrics.outboxNotices.get()).values.find((v) => v.labels.state === state)?.value
  /** One flush, and how many group sends it made (0 while the notice is waiting out its delay). */
  const flush = async () => {
    const before = front.groupSends()
    const sent = await announcer.flush()
    return { sent, requests: front.groupSends() - before }
  }
  const notices = (cid: string, part: string): RecordedReply[] =>
    sim.replies.filter((r) => r.kind === 'group' && r.conversationId === cid && r.text.includes(part))
  return {
    t,
    services,
    front,
    flush,
    gauge,
    notices,
    advance: (ms: number) => void (clock += ms),
    now: () => clock,
    status: () => collectStatus(services, clock),
    announcerEvents: () => services.events.list({ route: 'announcer' }),
  }
}

describe('the announcer when the OpenAPI refuses its notices', { timeout: PATIENCE }, () => {
  it('backs off 1 s doubling to 5 min, keeps the notice due for hours, and sends it once when the API recovers', async () => {
    const s = await setup()
    const id = s.services.outbox.add('Incident mode ON by dave via routerctl (break-glass)', s.now())
    s.front.refuseGroupSends(ROBOT_NOT_IN_GROUP)

    const started = s.now()
    const delays: number[] = []
    for (let attempt = 1; attempt <= 40; attempt++) {
      expect(await s.flush()).toEqual({ sent: 0, requests: 1 })
      const delay = outboxRetryDelayMs(attempt)
      delays.push(delay)
      // Not a moment before its delay is up: a flush then makes no request at all.
      s.advance(delay - 1)
      expect(await s.flush()).toEqual({ sent: 0, requests: 0 })
      s.advance(1)
    }
    expect(delays.slice(0, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((x) => x * 1000))
    expect(new Set(delays.slice(9))).toEqual(new Set([OUTBOX_RETRY.maxDelayMs]))
    expect(s.now() - started).toBeGreaterThan(2.5 * HOUR)

    // Still due after 40 refusals and hours of them, and said so everywhere an operator looks.
    expect(s.services.outbox.due().map((e) => [e.id, e.attempts])).toEqual([[id, 40]])
    expect(s.status().outbox).toEqual({ waiting: 1, undelivered: 0 })
    expect(await s.gauge('waiting')).toBe(1)
    expect(await s.gauge('undelivered')).toBe(0)
    const [failed] = s.announcerEvents()
    expect(failed).toMatchObject({ code: 'notice-failed', count: 40 })
    expect(failed?.message).toContain('HTTP 403 Forbidden.AccessDenied')
    const retries = s.t.logs.records().filter((l) => l.outboxId === id)
    expect(retries).toHaveLength(40)
    expect(retries.at(-1)).toMatchObject({ msg: expect.stringContaining('will retry'), retryInSeconds: 300 })
    expect(s.notices(OPS, 'Incident mode ON')).toEqual([])

    s.front.refuseGroupSends(undefined)
    expect(await s.flush()).toEqual({ sent: 1, requests: 1 })
    const [delivered, ...more] = s.notices(OPS, 'Incident mode ON by dave')
    expect(more).toEqual([])
    expect(delivered?.text).toContain('— written 2026-03-01T08:00:00Z; sent late, after 40 failed attempts')
    expect(delivered?.text).toMatch(/— audit head \d+:[0-9a-f]{12}$/)
    expect(s.status().outbox).toEqual({ waiting: 0, undelivered: 0 })
    expect(await s.gauge('waiting')).toBe(0)
    expect(s.services.outbox.due()).toEqual([])
    s.advance(HOUR)
    expect(await s.flush()).toEqual({ sent: 0, requests: 0 })
  })

  it('gives a notice up only after about a day of refusals, logs "gave up", and keeps it visible as undelivered', async () => {
    const s = await setup()
    const id = s.services.outbox.add('Runtime state v7 was written outside the audit trail', s.now())
    s.front.refuseGroupSends(FLOW_CONTROLLED)
    const started = s.now()
    for (let attempt = 1; attempt <= OUTBOX_RETRY.maxAttempts; attempt++) {
      expect(await s.flush()).toEqual({ sent: 0, requests: 1 })
      s.advance(outboxRetryDelayMs(attempt))
    }
    expect(s.now() - started).toBeGreaterThan(24 * HOUR)

    const lines = s.t.logs.records().filter((l) => l.outboxId === id)
    expect(lines).toHaveLength(OUTBOX_RETRY.maxAttempts)
    const last = lines.at(-1)!
    expect(last).toMatchObject({ level: 50, attempts: OUTBOX_RETRY.maxAttempts })
    expect(last.msg).toContain('gave up')
    expect(last.msg).not.toContain('will retry')
    expect(lines.slice(0, -1).every((l) => String(l.msg).includes('will retry'))).toBe(true)
    expect(s.announcerEvents().map((e) => [e.code, e.count])).toEqual(
      expect.arrayContaining([
        ['notice-gave-up', 1],
        ['notice-failed', OUTBOX_RETRY.maxAttempts - 1],
      ]),
    )
    const gaveUp = s.announcerEvents().find((e) => e.code === 'notice-gave-up')
    expect(gaveUp?.message).toContain('HTTP 429 Throttling')
    expect(gaveUp?.sample).toContain('Runtime state v7')

    // Given up: no further attempts, but counted as undelivered in /status and the gauge.
    s.front.refuseGroupSends(undefined)
    s.advance(HOUR)
    expect(await s.flush()).toEqual({ sent: 0, requests: 0 })
    expect(s.status().outbox).toEqual({ waiting: 0, undelivered: 1 })
    expect(await s.gauge('undelivered')).toBe(1)
    expect(await s.gauge('waiting')).toBe(0)
  })

  it('a notice backing off holds up no other, and a conversation that has it does not get it again', async () => {
    const s = await setup([OPS, OPS_2])
    s.front.refuseGroupSends(ROBOT_NOT_IN_GROUP, [OPS_2])
    s.services.outbox.add('Skill billing disabled by carol', s.now())
    expect(await s.flush()).toEqual({ sent: 0, requests: 2 })
    expect(s.notices(OPS, 'billing disabled')).toHaveLength(1)

    // Written while the first one waits out its delay: sent at once (to the group that accepts it).
    s.services.outbox.add('Skill billing enabled by dave', s.now())
    expect(await s.flush()).toEqual({ sent: 0, requests: 2 })
    expect(s.notices(OPS, 'billing enabled')).toHaveLength(1)
    expect(s.status().outbox).toEqual({ waiting: 2, undelivered: 0 })

    s.front.refuseGroupSends(undefined)
    s.advance(outboxRetryDelayMs(1))
    // Only the group that refused gets the retry: one request per notice.
    expect(await s.flush()).toEqual({ sent: 2, requests: 2 })
    for (const part of ['billing disabled', 'billing enabled']) {
      expect(s.notices(OPS, part)).toHaveLength(1)
      expect(s.notices(OPS_2, part)).toHaveLength(1)
    }
    expect(s.status().outbox).toEqual({ waiting: 0, undelivered: 0 })
  })
})
