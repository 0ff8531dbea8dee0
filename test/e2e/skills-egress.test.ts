import { afterEach, describe, expect, it } from 'vitest'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import { EgressError } from '../../src/egress/client.js'
import { serviceStatusSkill } from '../../skills/service-status.js'
import { createSkills } from '../../skills/index.js'
import ping from '../../skills/ping.js'
import { metricValue } from '../helpers/metrics.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'
import { healthy, hung, startStandInApi, type StandInApi } from '../helpers/stand-in-api.js'
import { waitUntil } from '../helpers/waits.js'

// Generous on purpose (a loaded 2-core CI box), yet far below the skill's own timeout, set to 30 s below:
// an answer inside 300 ms + SLACK_MS can only have come from the egress timeout.
const SLACK_MS = 5000

describe('skills reach internal APIs only through their egress client', () => {
  let r: TestRouter | undefined
  const apis: StandInApi[] = []
  afterEach(async () => {
    await r?.stop()
    r = undefined
    for (const api of apis.splice(0)) await api.close()
  })

  async function api(handler = healthy): Promise<StandInApi> {
    const a = await startStandInApi(handler)
    apis.push(a)
    return a
  }

  async function start(status: StandInApi, extra: SkillDefinition<unknown>[] = [], loopback: string[] = []) {
    r = await startTestRouter({
      skills: [
        { ...serviceStatusSkill({ baseUrl: status.url }), timeoutMs: 30_000 } as SkillDefinition<unknown>,
        ...extra,
      ],
      configure: (c) => ({
        ...c,
        egress: {
          ...c.egress,
          allowHttpLoopback: [status.hostPort, ...loopback],
          timeoutMs: 300,
          breakerFailures: 2,
          breakerHalfOpenAfter: '10m',
        },
      }),
    })
    return r
  }

  it('answers "not configured" when no status API is set', async () => {
    r = await startTestRouter({ skills: createSkills({ services: { statusApi: {} } }) })
    expect((await r.say('status payments')).text).toMatch(/not configured/)
  })

  it('a hung dependency still gets a reply within the timeout; then the breaker opens and the fallback answers without calling it', async () => {
    const status = await api()
    const router = await start(status)
    const destination = status.hostPort

    expect((await router.say('status payments')).text).toBe('payments: ok (all good at /v1/payments)')
    expect(status.requests).toEqual(['/v1/payments'])

    status.handle(hung)
    for (let i = 1; i <= 2; i++) {
      const sent = Date.now()
      const reply = await router.say('status payments')
      // egress.timeoutMs is 300: the user hears back long before the skill's own 30 s timeout.
      expect(Date.now() - sent).toBeLessThan(300 + SLACK_MS)
      expect(reply.text).toMatch(
        /^payments: ok \(all good at \/v1\/payments\)\. Last known .* the status API is not answering/,
      )
    }
    expect(status.requests).toHaveLength(3)
    expect(router.app.services.egress.breakerState(destination)).toBe('open')
    expect(await metricValue(router.httpUrl, 'router_breaker_open', { destination })).toBe(1)

    const sent = Date.now()
    const reply = await router.say('status payments')
    expect(reply.text).toMatch(/Last known .* not answering/)
    expect(Date.now() - sent).toBeLessThan(SLACK_MS)
    // The open breaker answered: the hung API never saw a fourth request.
    expect(status.requests).toHaveLength(3)

    const events = router.app.services.events.list({ route: 'service-status' })
    const byCode = Object.fromEntries(events.map((e) => [e.code, e.count]))
    expect(byCode).toMatchObject({ 'egress-timeout': 2, failed: 2, fallback: 1 })
    expect(
      await metricValue(router.httpUrl, 'router_egress_refusals_total', { route: 'service-status', reason: 'timeout' }),
    ).toBe(2)

    // An unknown service without any earlier answer gets the static fallback text.
    expect((await router.say('status billing')).text).toMatch(/no recent answer for "billing"/)
  })

  it('refuses a call to a host the skill did not declare, records it and counts it', async () => {
    const status = await api()
    const other = await api()
    const sneaky = defineSkill({
      name: 'sneaky',
      description: 'calls a host it did not declare',
      example: 'sneaky',
      match: /^sneaky$/,
      risk: 'read',
      egress: [status.hostPort],
      async handler({ ctx }) {
        try {
          await ctx.egress.getJson(`${other.url}/v1/secrets?token=abc`)
          return 'reached it'
        } catch (e) {
          return `refused: ${e instanceof EgressError ? e.code : 'other'}`
        }
      },
    })
    const router = await start(status, [sneaky as SkillDefinition<unknown>], [other.hostPort])

    expect((await router.say('sneaky')).text).toBe('refused: not-allowed')
    expect(other.requests).toHaveLength(0)
    const event = router.app.services.events.list({ route: 'sneaky' }).find((e) => e.code === 'egress-not-allowed')
    expect(event?.message).toContain(`${other.hostPort} is not a declared destination`)
    expect(event?.message).not.toContain('token=abc')
    expect(
      await metricValue(router.httpUrl, 'router_egress_refusals_total', { route: 'sneaky', reason: 'not-allowed' }),
    ).toBe(1)
  })

  it('refuses a redirect to another host and says it is blocked by policy, not that the API is down', async () => {
    const other = await api()
    const status = await api((_req, res) => {
      res.writeHead(302, { location: `${other.url}/v1/payments` }).end()
    })
    const router = await start(status, [], [other.hostPort])

    expect((await router.say('status payments')).text).toContain(
      "blocked by the router's egress policy (redirect-refused)",
    )
    expect(status.requests).toHaveLength(1)
    expect(other.requests).toHaveLength(0)
    const codes = router.app.services.events.list({ route: 'service-status' }).map((e) => e.code)
    expect(codes).toEqual(expect.arrayContaining(['egress-redirect-refused', 'egress_policy']))
    expect(
      await metricValue(router.httpUrl, 'router_egress_refusals_total', {
        route: 'service-status',
        reason: 'redirect-refused',
      }),
    ).toBe(1)
    // A refused redirect is the skill's mistake or an attack, not the destination failing: the breaker stays closed.
    expect(router.app.services.egress.breakerState(status.hostPort)).toBe('closed')
  })

  it('keeps acking and answering other messages while a skill hangs, and times the hung skill out', async () => {
    let release!: () => void
    let started!: () => void
    const isStarted = new Promise<void>((resolve) => (started = resolve))
    let pending = true
    const stuck = defineSkill({
      name: 'stuck',
      description: 'hangs until released',
      example: 'stuck',
      match: /^stuck$/,
      risk: 'read',
      timeoutMs: 60_000,
      handler: async () => {
        started()
        await new Promise<void>((resolve) => (release = resolve))
        pending = false
        return 'released'
      },
    })
    const slow = defineSkill({
      name: 'slow',
      description: 'never answers',
      example: 'slow',
      match: /^slow$/,
      risk: 'read',
      timeoutMs: 400,
      handler: () => new Promise<string>(() => undefined),
    })
    const status = await api()
    const router = await start(status, [stuck, slow, ping] as SkillDefinition<unknown>[])
    const { sim } = router

    const stuckAt = Date.now()
    const stuckMsg = sim.sendMessage({ text: 'stuck' })
    await isStarted
    // The ack travels back over the socket while the handler hangs; it never waits for the skill.
    await waitUntil(() => sim.isAcked(stuckMsg.messageId), 15_000, 'the hung message is acked')
    expect(pending).toBe(true)
    expect(sim.ackedAt(stuckMsg.messageId)! - stuckAt).toBeLessThan(1000)

    for (let i = 0; i < 3; i++) {
      const sentAt = Date.now()
      const sent = sim.sendMessage({ text: 'ping', senderStaffId: `user${i + 2}` })
      expect((await sim.waitForReply({ msgId: sent.msgId }, 15_000)).text).toBe('pong')
      // Acked and answered while the first message's skill is still hanging.
      expect(pending).toBe(true)
      expect(sim.ackedAt(sent.messageId)! - sentAt).toBeLessThan(1000)
    }

    // A skill with its own short timeout answers the user instead of leaving them waiting.
    expect((await router.say('slow')).text).toMatch(/"slow" did not answer within 400ms/)
    expect(router.app.services.events.list({ route: 'slow' }).map((e) => e.code)).toEqual(['timeout'])

    release()
    expect((await sim.waitForReply({ msgId: stuckMsg.msgId }, 15_000)).text).toBe('released')
    expect(sim.deliveries(stuckMsg.msgId)).toBe(1)
    await waitUntil(() => router.app.inbound.inFlightCount === 0, 15_000, 'no message in flight')
  })
})
