import { afterEach, describe, expect, it } from 'vitest'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import { createJobs } from '../../src/jobs/index.js'
import { serviceStatusSkill } from '../../skills/service-status.js'
import ping from '../../skills/ping.js'
import { OP1, OP2, OPS, startTestRouter, type TestRouter } from '../helpers/router.js'
import { startStandInApi, type StandInApi } from '../helpers/stand-in-api.js'
import { PATIENCE } from '../helpers/patience.js'

const deployApp = defineSkill({
  name: 'deploy-app',
  description: 'Deploys the app',
  example: 'deploy app',
  match: /^deploy app$/,
  risk: 'write',
  handler: () => 'deployed',
  fallback: () => 'Deploys are paused during the incident. The last deploy was v41, 2 h ago.',
})
const pageOncall = defineSkill({
  name: 'page-oncall',
  description: 'Pages the on-call engineer',
  example: 'page oncall',
  match: /^page oncall$/,
  risk: 'external',
  egress: ['pager.internal.example:443'],
  handler: () => 'paged',
})
// Read-only by declaration, but listed in incident.riskySkills by the operators.
const restartHint = defineSkill({
  name: 'restart-hint',
  description: 'How to restart a service',
  example: 'restart hint',
  match: /^restart hint$/,
  risk: 'read',
  handler: () => 'run deploy/restart.sh',
})

describe('incident mode', () => {
  let r: TestRouter | undefined
  let api: StandInApi | undefined
  afterEach(async () => {
    await r?.stop()
    await api?.close()
    r = undefined
    api = undefined
  })

  async function start(now?: () => number): Promise<TestRouter> {
    api = await startStandInApi()
    const status = serviceStatusSkill({ baseUrl: api.url })
    r = await startTestRouter({
      skills: [deployApp, pageOncall, restartHint, ping, status] as SkillDefinition<unknown>[],
      now,
      configure: (c) => ({
        ...c,
        egress: { ...c.egress, allowHttpLoopback: [api!.hostPort] },
        incident: { ...c.incident, riskySkills: ['restart-hint'] },
      }),
    })
    return r
  }

  const announcement = (router: TestRouter, text: string) =>
    router.sim.waitForReply(
      { conversationId: OPS, predicate: (x) => x.kind === 'group' && x.text.includes(text) },
      PATIENCE,
    )

  it('on at once: risky skills refused, fallbacks answer, read skills work; off needs a second operator', async () => {
    const router = await start()
    const on = await router.command('/incident on db failover ttl=2h', OP1, PATIENCE)
    expect(on.text).toContain('Incident mode on')
    expect(on.text).toMatch(/Paused:\*\* page-oncall, restart-hint/)
    expect(on.text).toMatch(/fallbacks:\*\* deploy-app/)
    await announcement(router, 'Incident mode ON by alice: "db failover"')

    expect((await router.say('deploy app', PATIENCE)).text).toBe(
      'Deploys are paused during the incident. The last deploy was v41, 2 h ago.',
    )
    expect((await router.say('page oncall', PATIENCE)).text).toBe(
      '"page-oncall" is paused because incident mode is on. Please try again later.',
    )
    expect((await router.say('restart hint', PATIENCE)).text).toBe(
      '"restart-hint" is paused because incident mode is on. Please try again later.',
    )
    expect((await router.say('ping', PATIENCE)).text).toBe('pong')
    expect((await router.say('status payments', PATIENCE)).text).toMatch(/^payments: ok/)

    const status = await router.command('/status', OP2, PATIENCE)
    expect(status.text).toMatch(
      /Incident mode:\*\* \*\*ON\*\* by alice since \S+ — db failover \(ends in (1h 59m|2h)\)/,
    )
    const entry = router.app.services.audit.recent(5, { action: 'incident' })[0]
    expect(entry).toMatchObject({
      actor: 'alice',
      channel: 'dingtalk',
      outcome: 'executed',
      args: { mode: 'on', reason: 'db failover', ttl: '2h' },
    })

    const off = await router.command('/incident off', OP1, PATIENCE)
    const id = /\/approve (\S+)/.exec(off.text)?.[1]
    expect(id).toBeDefined()
    expect(off.text).toContain('Approving turns it off and resumes: deploy-app, page-oncall, restart-hint.')
    expect(router.app.services.state.current().state.incident.on).toBe(true)
    expect((await router.command(`/approve ${id}`, OP1, PATIENCE)).text).not.toContain('Incident mode is off')
    expect((await router.say('deploy app', PATIENCE)).text).toMatch(/^Deploys are paused/)

    const approved = await router.command(`/approve ${id}`, OP2, PATIENCE)
    expect(approved.text).toContain('Incident mode is off')
    expect(router.app.services.state.current().state.incident).toMatchObject({ on: false, by: 'bob' })
    await announcement(router, 'Incident mode OFF, turned off by bob')
    expect((await router.say('deploy app', PATIENCE)).text).toBe('deployed')
    expect((await router.say('page oncall', PATIENCE)).text).toBe('paged')
  })

  it('/status, /skills and GET /status show what incident mode holds back as paused (incident), as the gate decides', async () => {
    const router = await start()
    await router.command('/disable-skill page-oncall pager storm', OP1, PATIENCE)
    await router.command('/incident on db failover', OP1, PATIENCE)

    // The gate's decision, message by message: these are answered by a fallback or a "paused" reply.
    expect((await router.say('deploy app', PATIENCE)).text).toMatch(/^Deploys are paused/)
    expect((await router.say('restart hint', PATIENCE)).text).toContain('is paused because incident mode is on')
    expect((await router.say('ping', PATIENCE)).text).toBe('pong')

    const status = await router.command('/status', OP2, PATIENCE)
    expect(status.title).toContain('INCIDENT MODE, 2 skill(s) paused by incident mode, 1 skill(s) off')
    expect(status.text).toContain('| deploy-app | paused (incident) | write |')
    // Read-only by declaration, but listed in incident.riskySkills: paused too.
    expect(status.text).toContain('| restart-hint | paused (incident) | read |')
    // A skill turned off stays OFF: that answer comes first.
    expect(status.text).toContain('| page-oncall | OFF (pager storm) | external |')
    expect(status.text).toContain('| ping | on | read |')

    const skills = await router.command('/skills', OP2, PATIENCE)
    const total = router.app.services.skills.skills.length
    expect(skills.title).toBe(`Skills: ${total - 3} on, 2 paused (incident), 1 off`)
    expect(skills.text).toContain('| deploy-app | paused (incident) | write | none |')
    expect(skills.text).toContain('| restart-hint | paused (incident) | read | none |')
    expect(skills.text).toMatch(/\| service-status \| on \| read \| 127\.0\.0\.1:\d+ \|/)

    const res = await fetch(`${router.httpUrl}/status`)
    const json = (await res.json()) as { skills: { name: string; enabled: boolean; pausedByIncident: boolean }[] }
    const paused = json.skills.filter((k) => k.pausedByIncident).map((k) => k.name)
    expect(paused.sort()).toEqual(['deploy-app', 'restart-hint'])
    // `enabled` keeps its meaning (the flag): the pause is a field of its own.
    expect(json.skills.find((k) => k.name === 'deploy-app')).toMatchObject({ enabled: true, pausedByIncident: true })
    expect(json.skills.find((k) => k.name === 'ping')).toMatchObject({ enabled: true, pausedByIncident: false })
    expect(json.skills.find((k) => k.name === 'page-oncall')).toMatchObject({ enabled: false, pausedByIncident: false })
  })

  it('refuses a ttl it cannot honour, with a clear reason, and stays off', async () => {
    const router = await start()
    expect((await router.command('/incident on ttl=2d', OP1, PATIENCE)).text).toContain(
      'longer than the allowed 24h (incident.maxTtl)',
    )
    expect((await router.command('/incident on ttl=30s', OP1, PATIENCE)).text).toContain('at least 1m')
    expect((await router.command('/incident on ttl=soon', OP1, PATIENCE)).text).toMatch(
      /^Usage: \/incident on[\s\S]*ttl: expected a duration/,
    )
    expect((await router.command('/incident off ttl=1h', OP1, PATIENCE)).text).toContain(
      'ttl= goes with /incident on only',
    )
    expect((await router.command('/incident sideways', OP1, PATIENCE)).text).toMatch(/^Usage: \/incident/)
    expect(router.app.services.state.current().state.incident.on).toBe(false)
    // The default ttl applies when none is given.
    await router.command('/incident on', OP1, PATIENCE)
    const incident = router.app.services.state.current().state.incident
    expect(incident.expiresAt! - incident.since!).toBe(4 * 3_600_000)
    // On again while on extends it: same start, new end.
    expect((await router.command('/incident on still failing over ttl=6h', OP2, PATIENCE)).text).toContain(
      'Incident mode extended',
    )
    expect(router.app.services.state.current().state.incident).toMatchObject({
      on: true,
      since: incident.since,
      by: 'bob',
      reason: 'still failing over',
    })
  })

  it('expires on its own at the ttl: the job turns it off, audits it with channel cron and announces it', async () => {
    let offset = 0
    const router = await start(() => Date.now() + offset)
    const job = createJobs(router.app.services).find((j) => j.name === 'incident-expiry')!
    const now = router.app.services.now
    await router.command('/incident on "rollout gone wrong" ttl=30m', OP1, PATIENCE)
    expect((await router.say('deploy app', PATIENCE)).text).toMatch(/^Deploys are paused/)

    offset = 10 * 60_000
    await job.run(now())
    expect(router.app.services.state.current().state.incident.on).toBe(true)
    expect(
      router.app.services.audit.recent(5, { action: 'incident' }).filter((e) => e.channel === 'cron'),
    ).toHaveLength(0)

    // Past the ttl the skill gate already lets risky skills through, even before the job has run.
    offset = 31 * 60_000
    expect((await router.say('deploy app', PATIENCE)).text).toBe('deployed')
    await job.run(now())
    expect(router.app.services.state.current().state.incident).toMatchObject({
      on: false,
      by: 'incident-expiry',
      reason: 'ttl ran out',
    })
    const entry = router.app.services.audit.recent(5, { action: 'incident' })[0]
    expect(entry).toMatchObject({
      actor: 'incident-expiry',
      channel: 'cron',
      outcome: 'executed',
      args: { mode: 'off', reason: 'ttl ran out', turnedOnBy: 'alice' },
    })
    await announcement(router, 'Incident mode OFF: its ttl ran out (turned on by alice')

    // Running again changes nothing and audits nothing.
    await job.run(now())
    expect(
      router.app.services.audit.recent(10, { action: 'incident' }).filter((e) => e.channel === 'cron'),
    ).toHaveLength(1)
    expect(router.app.services.audit.verify()).toMatchObject({ ok: true })
  })
})
