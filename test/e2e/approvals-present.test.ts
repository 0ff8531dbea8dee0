import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import { createSkills } from '../../skills/index.js'
import { approveRequest } from '../../src/admin/approval-decision.js'
import { createRouterApp } from '../../src/app.js'
import { ConfigError, loadConfig, type Operator } from '../../src/config.js'
import { incidentExpiryJob } from '../../src/jobs/incident-expiry.js'
import { PATIENCE } from '../helpers/patience.js'
import {
  OP1,
  OP2,
  OP3,
  TEST_SECRETS,
  THREE_OPERATORS,
  type TestRouter,
  withoutMentions,
  startTestRouter,
  verifyAndStop,
  approvalTrail,
} from '../helpers/router.js'
import { captureLogs } from '../helpers/log-capture.js'
import { removeDir, tempDir } from '../helpers/temp-dir.js'

const TWO = `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name}`
const MIN = 60_000

function idOf(text: string): string {
  const id = /\/approve ([a-z2-7]{10})/.exec(text)?.[1]
  expect(id, text).toBeDefined()
  return id!
}

describe('approvals are judged against the present', { timeout: 6 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it("a removed operator's request expires at start, audited with the reason, and cannot be approved", async () => {
    const dir = tempDir()
    r = await startTestRouter({ dir, env: { ROUTER_OPERATORS: THREE_OPERATORS } })
    await r.command('/disable-skill ping')
    const id = idOf((await r.command('/enable-skill ping', OP3)).text)
    await r.stop()
    // carol leaves the team: the router restarts without her in ROUTER_OPERATORS.
    r = await startTestRouter({ dir, env: { ROUTER_OPERATORS: TWO } })
    expect(r.app.services.approvals.get(id)?.status).toBe('expired')
    const expired = approvalTrail(r, id).at(-1)!
    expect(expired).toMatchObject({ outcome: 'expired', channel: 'system', action: 'enable-skill' })
    expect(expired.detail).toBe('requester carol (op3) is no longer an operator')
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('expired')
    expect((await r.say('ping')).text).toContain('turned off')
    expect(approvalTrail(r, id).some((e) => e.outcome === 'executed' || e.outcome === 'approved')).toBe(false)
  })

  it('the decision itself refuses a request whose requester is no operator any more (cards call the same function)', async () => {
    r = await startTestRouter({ env: { ROUTER_OPERATORS: THREE_OPERATORS } })
    await r.command('/disable-skill ping')
    const id = idOf((await r.command('/enable-skill ping', OP3)).text)
    // The operator list as a restarted router would have it, passed at the boundary.
    const services = {
      ...r.app.services,
      operators: new Map<string, Operator>([
        [OP1.staffId, OP1],
        [OP2.staffId, OP2],
      ]),
    }
    const out = await approveRequest(services, id, OP2.staffId, 'dingtalk')
    expect(out.ok).toBe(false)
    expect(out.executed).toBeFalsy()
    expect(out.text).toContain('carol is no longer an operator')
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'expired'])
    expect(r.app.services.state.isSkillEnabled('ping')).toBe(false)
  })

  it('/incident on while on may only extend it; shortening is refused and /incident off needs a second operator', async () => {
    let clock = Date.now()
    r = await startTestRouter({ now: () => clock })
    const s = r.app.services
    expect((await r.command('/incident on db failover ttl=2h')).text).toContain('Incident mode on')
    const until = s.state.current().state.incident.expiresAt!
    const version = s.state.current().version

    clock += MIN
    const shorter = await r.command('/incident on ttl=10m', OP2)
    expect(shorter.text).toContain('may only extend it; to end it sooner use /incident off')
    expect(s.state.current()).toMatchObject({ version, state: { incident: { on: true, expiresAt: until } } })
    expect([...s.audit.entries()].at(-1)).toMatchObject({ action: 'incident', outcome: 'rejected', actor: OP2.name })

    const longer = await r.command('/incident on ttl=3h', OP2)
    expect(longer.text).toContain('Incident mode extended')
    expect(s.state.current().state.incident.expiresAt).toBe(clock + 3 * 60 * MIN)

    // Ending it sooner is /incident off, and that needs a second operator.
    const off = await r.command('/incident off')
    expect(off.text).toContain('Approval needed: /incident')
    expect(s.state.current().state.incident.on).toBe(true)
    const approved = await r.command(`/approve ${idOf(off.text)}`, OP2)
    expect(approved.text).toContain('Incident mode is off')
    expect(s.state.current().state.incident.on).toBe(false)
  })

  it('/incident off while off answers "already off" and opens no request', async () => {
    r = await startTestRouter()
    const s = r.app.services
    const before = s.audit.head().seq
    const reply = await r.command('/incident off')
    expect(withoutMentions(reply)).toBe('Nothing changed: incident mode is already off.')
    expect(s.approvals.pending(s.now())).toEqual([])
    const written = [...s.audit.entries(before)]
    expect(written.map((e) => [e.action, e.outcome, e.approvalId])).toEqual([['incident', 'rejected', null]])
  })

  it('/status shows incident mode off from the moment its ttl ends, before the expiry job runs', async () => {
    let clock = Date.now()
    r = await startTestRouter({ now: () => clock })
    await r.command('/incident on drill ttl=1m')
    expect((await r.command('/status')).text).toContain('**Incident mode:** **ON**')
    clock += MIN + 1000
    const status = await r.command('/status')
    expect(status.text).toContain('**Incident mode:** off')
    expect(status.title).not.toContain('INCIDENT MODE')
    const json = (await (await fetch(`${r.httpUrl}/status`)).json()) as { incident: { on: boolean } }
    expect(json.incident.on).toBe(false)
    // The stored state still says on until the job writes it down, through the executor, channel cron.
    expect(r.app.services.state.current().state.incident.on).toBe(true)
    await incidentExpiryJob(r.app.services).run(clock)
    expect(r.app.services.state.current().state.incident.on).toBe(false)
    expect([...r.app.services.audit.entries()].at(-1)).toMatchObject({
      action: 'incident',
      channel: 'cron',
      outcome: 'executed',
    })
  })

  it('a read-only command whose approval the config forces answers once approved', async () => {
    r = await startTestRouter({
      configure: (c) => ({ ...c, approvals: { ...c.approvals, require: { ...c.approvals.require, status: true } } }),
    })
    const request = await r.command('/status')
    expect(request.text).toContain('Approval needed: /status')
    const id = idOf(request.text)
    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.text).toContain('Router status')
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'approved'])
    expect([...r.app.services.audit.entries()].at(-1)).toMatchObject({ action: 'status', outcome: 'executed' })
  })

  it('a name in approvals.require that is no command stops the start, naming it and every command', ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const db = join(dir, 'router.db')
    const base = loadConfig({ ROUTER_DB: db, ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey })
    // Each would otherwise start, and the command would run without the second operator asked for.
    const config = {
      ...base,
      approvals: { ...base.approvals, require: { disable_skill: true, '/rollback': true, 'enable-skill': true } },
      incident: { ...base.incident, riskySkills: ['restart_hint'] },
    }
    let refused: unknown
    try {
      createRouterApp(config, { logger: captureLogs().handle, skills: createSkills(config), commands, jobs: false })
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(ConfigError)
    const problems = (refused as ConfigError).problems
    // Both misspelt-name checks land in the one message, so the operator fixes them in one go.
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^incident\.riskySkills: no skill named restart_hint \(known: .*ping/)
    expect(problems[1]).toMatch(
      /^approvals\.require: no command named "disable_skill", "\/rollback" \(known, written without the \/: /,
    )
    for (const c of commands) expect(problems[1]).toContain(c.name)
    expect(existsSync(db), 'refused before the database is opened').toBe(false)
  })
})
