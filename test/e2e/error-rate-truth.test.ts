import { afterEach, describe, expect, it } from 'vitest'
import type { SkillDefinition } from '../../src/define.js'
import { dailyDigestJob } from '../../src/jobs/daily-digest.js'
import { knownGoodJob } from '../../src/jobs/known-good.js'
import { serviceStatusSkill } from '../../skills/service-status.js'
import ping from '../../skills/ping.js'
import { metricValue } from '../helpers/metrics.js'
import { PATIENCE } from '../helpers/patience.js'
import { OPS, type TestRouter, startTestRouter, verifyAndStop, withoutMentions } from '../helpers/router.js'
import { rawDb } from '../helpers/routerctl.js'
import { startStandInApi, type StandInApi, type StandInHandler } from '../helpers/stand-in-api.js'
import { waitForEvent, waitUntil } from '../helpers/waits.js'

const MIN = 60_000
const failing500: StandInHandler = (_req, res) => {
  res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}')
}

describe('the error rate tells the truth', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let api: StandInApi | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    await api?.close()
    r = undefined
    api = undefined
  }, PATIENCE)

  it('a bad deploy whose status backend answers 500: fallback answers count as errors everywhere, and the release is not known-good', async () => {
    api = await startStandInApi(failing500)
    r = await startTestRouter({
      skills: [ping, serviceStatusSkill({ baseUrl: api.url })] as SkillDefinition<unknown>[],
      configure: (c) => ({
        ...c,
        egress: { ...c.egress, allowHttpLoopback: [api!.hostPort], breakerFailures: 2, breakerHalfOpenAfter: '10m' },
      }),
    })
    const s = r.app.services
    // Two calls fail with HTTP 500, then the breaker answers the next two from the fallback without calling.
    for (let i = 0; i < 4; i++)
      expect((await r.say('status payments')).text).toMatch(/[Tt]he status API is not answering right now/)
    expect(api.requests).toHaveLength(2)
    expect((await r.say('ping')).text).toBe('pong')

    // The one rate: 4 of the 5 messages failed, and all 4 were fallback answers. (A message is counted just
    // after its reply, so wait for the last one.)
    await waitUntil(() => s.usage.errorRate(s.now()).messages === 5, PATIENCE, 'five messages counted')
    expect(s.usage.errorRate(s.now())).toMatchObject({ messages: 5, errors: 4, fallbacks: 4 })
    const runbook = (await r.command('/runbook')).text
    expect(runbook).toContain('- **Errors (15 min):** 4/5 = 80.0%; 4 answered from a fallback')
    expect(runbook).not.toMatch(/= 0\.0%/)
    const status = (await r.command('/status')).text
    expect(status).toMatch(/- \*\*Errors \(15 min\):\*\* 4 of 6 messages \(66\.7%\); 4 answered from a fallback/)
    const json = (await (await fetch(`${r.httpUrl}/status`)).json()) as { errorRate: Record<string, number> }
    expect(json.errorRate).toMatchObject({ errors: 4, fallbacks: 4 })
    expect(await metricValue(r.httpUrl, 'router_errors_total', { route: 'service-status' })).toBe(4)
    expect(
      await metricValue(r.httpUrl, 'router_messages_total', { route: 'service-status', outcome: 'fallback' }),
    ).toBe(4)

    // The daily digest reads the same rate.
    await dailyDigestJob(s).run(s.now())
    const digest = await r.sim.waitForReply(
      { conversationId: OPS, predicate: (m) => m.text.startsWith('Daily digest') },
      PATIENCE,
    )
    expect(digest.text).toMatch(/- errors \(24 h\): 4\/\d+ = \d+\.\d%; 4 answered from a fallback/)

    // The known-good gate: ready for well over `knownGoodAfter`, but the errors are in the window.
    const deploy = s.releases.forDigest(s.runtime.digest)!
    const gate = knownGoodJob(s, { ready: () => true })
    const t0 = s.now()
    await gate.run(t0)
    await gate.run(t0 + 11 * MIN)
    expect(s.releases.forDigest(deploy.digest)?.knownGoodAt).toBeNull()
    expect([...s.audit.entries()].filter((e) => e.action === 'known-good')).toEqual([])
    // Once the failures have aged out of the 15-minute window, the same gate passes: it is the rate that held it.
    await gate.run(t0 + 20 * MIN)
    expect(s.releases.forDigest(deploy.digest)?.knownGoodAt).toBe(t0 + 20 * MIN)
  })

  it('an undelivered reply is an error of the skill it answered, not of a route of its own', async () => {
    r = await startTestRouter()
    const s = r.app.services
    r.sim.sendMessage({
      text: 'ping',
      extra: { sessionWebhook: 'https://evil.example/robot/sendBySession?session=S1' },
    })
    await waitUntil(() => s.usage.errorRate(s.now()).errors === 1, PATIENCE, 'the undelivered reply is counted')
    const rows = r.app.services.events.list()
    expect(rows.map((e) => [e.route, e.code])).toEqual([['ping', 'webhook-refused']])
    expect(await metricValue(r.httpUrl, 'router_errors_total', { route: 'ping' })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_errors_total', { route: 'reply' })).toBe(0)
    // A delivered ping afterwards: 1 error in 2 messages.
    expect((await r.say('ping')).text).toBe('pong')
    await waitUntil(() => s.usage.errorRate(s.now()).messages === 2, PATIENCE, 'two messages counted')
    expect(s.usage.errorRate(s.now())).toMatchObject({ messages: 2, errors: 1, fallbacks: 0 })
  })

  it('an admin command the router could not carry out is an error of its route; one it refused is not', async () => {
    r = await startTestRouter()
    const router = r
    const s = r.app.services
    const errorsOf = (route: string) => metricValue(router.httpUrl, 'router_errors_total', { route })
    const counted = (n: number) =>
      waitForEvent(
        router.app.inbound,
        'done',
        () => s.usage.errorRate(s.now()).messages === n,
        PATIENCE,
        () => `${s.usage.errorRate(s.now()).messages} of ${n} messages counted`,
      )
    const statusErrors = async () =>
      ((await (await fetch(`${router.httpUrl}/status`)).json()) as { errorRate: Record<string, number> }).errorRate

    // Refused on purpose: an unknown skill (the action rejects it) and bad arguments are correct answers.
    expect(withoutMentions(await r.command('/disable-skill nosuch'))).toMatch(/^No skill named "nosuch"\./)
    expect(withoutMentions(await r.command('/disable-skill'))).toMatch(/^Usage: \/disable-skill/)
    await counted(2)
    expect(s.usage.errorRate(s.now())).toMatchObject({ messages: 2, errors: 0 })
    expect(await errorsOf('/disable-skill')).toBe(0)

    // The audit file refuses every `executed` entry, as a failing disk would refuse the write.
    const db = rawDb(r.dbPath)
    db.exec(
      "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit WHEN NEW.outcome = 'executed' BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
    )
    try {
      const notRun = withoutMentions(await r.command('/disable-skill ping too noisy'))
      expect(notRun).toBe(
        'The audit trail could not be written (could not write the audit entry (disk says no); nothing was changed), so /disable-skill was NOT run.',
      )
      expect(s.state.isSkillEnabled('ping')).toBe(true)
      const withheld = withoutMentions(await r.command('/whoami'))
      expect(withheld).toBe(
        'The audit trail could not be written (disk says no), so the answer to /whoami is withheld.',
      )
      // A refusal is still a refusal while the audit fails: its `rejected` entry is written.
      expect(withoutMentions(await r.command('/disable-skill nosuch'))).toMatch(/^No skill named "nosuch"\./)
      await counted(5)
    } finally {
      db.exec('DROP TRIGGER audit_refuse')
      db.close()
    }

    // Both failures, and only they, in the error rate and in router_errors_total under their own routes.
    expect(s.usage.errorRate(s.now())).toMatchObject({ messages: 5, errors: 2 })
    expect(await statusErrors()).toMatchObject({ messages: 5, errors: 2 })
    expect(await errorsOf('/disable-skill')).toBe(1)
    expect(await errorsOf('/whoami')).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_messages_total', { route: '/disable-skill', outcome: 'error' })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_messages_total', { route: '/disable-skill', outcome: 'replied' })).toBe(
      2,
    )
  })
})
