// Notices the OpenAPI refuses: retried with backoff, shown in /status, GET /status, /metrics and /diag, sent once.
import { afterEach, describe, expect, it } from 'vitest'
import { Cleanup } from '../helpers/cleanup.js'
import { metricValue } from '../helpers/metrics.js'
import { ROBOT_NOT_IN_GROUP, startOpenApiFront } from '../helpers/openapi-front.js'
import { PATIENCE } from '../helpers/patience.js'
import { OPS, startSimulator, startTestRouter } from '../helpers/router.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

describe('announcements the OpenAPI refuses', { timeout: 3 * PATIENCE }, () => {
  it('are retried with backoff, visible while unsent, and sent once the OpenAPI accepts them again', async () => {
    const sim = await startSimulator(cleanup)
    const front = await startOpenApiFront(cleanup, sim)
    front.refuseGroupSends(ROBOT_NOT_IN_GROUP)
    let clock = Date.now()
    const r = await cleanup.router(
      startTestRouter({
        sim,
        now: () => clock,
        configure: (c) => ({ ...c, dingtalk: { ...c.dingtalk, apiBase: front.url } }),
      }),
    )
    const id = r.app.services.outbox.add('Incident mode ON by dave via routerctl (break-glass): "e2e drill"', clock)
    const attempt = (n: number) =>
      r.logs.waitFor((l) => l.outboxId === id && l.attempts === n && String(l.msg).includes('will retry'), PATIENCE)
    await attempt(1)
    // The poll runs every 500 ms, but the second attempt waits for the clock to pass the 1 s delay.
    expect(front.groupSends()).toBe(1)
    clock += 1000
    await attempt(2)

    const facts = (await (await fetch(`${r.httpUrl}/status`)).json()) as { outbox: unknown }
    expect(facts.outbox).toEqual({ waiting: 1, undelivered: 0 })
    expect(await metricValue(r.httpUrl, 'router_outbox_notices', { state: 'waiting' })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_outbox_notices', { state: 'undelivered' })).toBe(0)
    expect((await r.command('/status')).text).toContain('- **Admin notices not sent:** 1 waiting to be sent')
    const diag = await r.command('/diag announcer')
    expect(diag.text).toContain('notice-failed')
    expect(diag.text).toContain('Forbidden.AccessDenied')

    front.refuseGroupSends(undefined)
    clock += 2000
    await r.logs.waitFor((l) => l.outboxId === id && l.msg === 'announced a notice after failed attempts', PATIENCE)
    const notices = r.sim.replies.filter((m) => m.kind === 'group' && m.text.includes('"e2e drill"'))
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ conversationId: OPS })
    expect(notices[0]?.text).toContain('sent late, after 2 failed attempts')
    const after = (await (await fetch(`${r.httpUrl}/status`)).json()) as { outbox: unknown }
    expect(after.outbox).toEqual({ waiting: 0, undelivered: 0 })
    expect(await metricValue(r.httpUrl, 'router_outbox_notices', { state: 'waiting' })).toBe(0)
    expect((await r.command('/status')).text).not.toContain('Admin notices not sent')
  })
})
