import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createRouterApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { simulatorEnv } from '../../src/simulator/router-env.js'
import { commands } from '../../commands/index.js'
import { createSkills } from '../../skills/index.js'
import { serviceStatusSkill } from '../../skills/service-status.js'
import type { SkillDefinition } from '../../src/define.js'
import { captureLogs } from '../helpers/log-capture.js'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { startBudgetRouter } from '../helpers/budget.js'
import { Cleanup } from '../helpers/cleanup.js'
import { startTestRouter, TEST_SECRETS, startSimulator } from '../helpers/router.js'
import { captureIo, cliEnv, seedDatabase } from '../helpers/routerctl.js'
import { startStandInApi, type StandInApi } from '../helpers/stand-in-api.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'
import { waitUntil } from '../helpers/waits.js'
import { main as routerctl } from '../../src/cli/routerctl.js'

// Every refusal says what it is: a slow backend gets the time egress.timeoutMs gives it, a call the egress
// policy blocks is not reported as an outage, refused credentials are named, and a budget that could never
// fit the route's fixed prompt is refused when it is set.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())
const T = { timeout: 120_000 }

async function statusRouter(api: StandInApi, egress: { timeoutMs?: number; extraLoopback?: string[] } = {}) {
  return cleanup.router(
    startTestRouter({
      skills: [serviceStatusSkill({ baseUrl: api.url }) as SkillDefinition<unknown>],
      configure: (c) => ({
        ...c,
        egress: {
          ...c.egress,
          allowHttpLoopback: [api.hostPort, ...(egress.extraLoopback ?? [])],
          timeoutMs: egress.timeoutMs ?? c.egress.timeoutMs,
        },
      }),
    }),
  )
}

describe('egress answers say what happened', () => {
  it('gives a slow backend the whole egress.timeoutMs, not a fixed 5 s', T, async () => {
    const api = cleanup.add(await startStandInApi(), (a) => a.close())
    // The backend itself takes 6 s: longer than the old fixed skill timeout, shorter than the setting.
    api.handle((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"state":"slow but ok"}'), 6000)
    })
    const r = await statusRouter(api, { timeoutMs: 10_000 })
    expect((await r.say('status payments', 30_000)).text).toBe('payments: slow but ok')
  })

  it('says credentials were refused on a 401 or 403, and counts it as an error', T, async () => {
    const api = cleanup.add(await startStandInApi(), (a) => a.close())
    const r = await statusRouter(api)
    for (const status of [401, 403]) {
      api.handle((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'))
      const reply = (await r.say('status payments')).text
      expect(reply).toContain(`refused the router's credentials (HTTP ${status})`)
      expect(reply).not.toMatch(/not answering/)
    }
    // Counted once the message is done, just after its reply went out.
    await waitUntil(() => r.app.services.usage.errorRate(Date.now(), 15).errors === 2)
    expect(r.app.services.events.list({ route: 'service-status' })[0]).toMatchObject({ code: 'credentials_refused' })
  })

  it('says a call blocked by the egress policy is blocked by policy, not that the service is down', T, async () => {
    const elsewhere = cleanup.add(await startStandInApi(), (a) => a.close())
    const api = cleanup.add(await startStandInApi(), (a) => a.close())
    // A redirect to a destination the skill never declared: refused before anything is sent there.
    api.handle((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/v1/payments` }).end())
    const r = await statusRouter(api)
    const reply = (await r.say('status payments')).text
    expect(reply).toContain("blocked by the router's egress policy (redirect-refused)")
    expect(reply).not.toMatch(/not answering/)
    expect(elsewhere.requests).toEqual([])
  })

  it("says the model refused the router's credentials on a 401", T, async () => {
    const fake: FakeModel = cleanup.add(await startFakeModel(), (f) => f.close())
    fake.otherwise({ status: 401, body: '{"error":{"message":"bad key"}}' })
    const r = await cleanup.router(startBudgetRouter({ fake }))
    const reply = (await r.say('ask why is checkout slow?')).text
    expect(reply).toContain(`${fake.dest} refused the router's credentials (HTTP 401)`)
  })
})

describe('a budget below the fixed prompt of its route is refused when it is set', () => {
  it('in chat (/budget), naming the minimum', T, async () => {
    const fake = cleanup.add(await startFakeModel(), (f) => f.close())
    const r = await cleanup.router(startBudgetRouter({ fake }))
    const floor = r.app.services.skills.promptFloor('ask')!
    expect(floor.withTools).toBeGreaterThan(floor.withoutTools)
    const refused = (await r.command(`/budget ask context=${floor.withTools - 1}`)).text
    expect(refused).toContain(`set context= to at least ${floor.withTools}`)
    expect(r.app.services.state.current().state.budgets.ask).toBeUndefined()
    // Without tools their schemas are not sent, so the floor is lower.
    const ok = (await r.command(`/budget ask context=${floor.withTools - 1} tools=0`)).text
    expect(ok).toContain(`context 4,000 → ${floor.withTools - 1}`)
    // A raise that still ends below the floor is refused before any approval request opens.
    const raise = (await r.command('/budget ask tools=1')).text
    expect(raise).toContain(`at least ${floor.withTools}`)
    expect(r.app.services.approvals.pending(Date.now())).toEqual([])
  })

  it('in the config: the router refuses to start', T, async () => {
    const sim = await startSimulator(cleanup)
    const dir = cleanup.add(tempDir(), removeDir)
    const base = loadConfig({
      ...simulatorEnv(sim),
      ROUTER_DB: join(dir, 'router.db'),
      ROUTER_HTTP_PORT: '0',
      ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
    })
    const config = {
      ...base,
      model: { ...base.model, baseUrl: 'https://llm.internal.example/v1', name: 'm' },
      budgets: { ...base.budgets, routes: { ask: { maxContextTokens: 40 } } },
    }
    const app = createRouterApp(config, { logger: captureLogs().handle, skills: createSkills(config), commands })
    await expect(app.start()).rejects.toThrow(/budgets \(route ask\): context=40 is below the \d+ tokens/)
    app.services.inbox.pending() // the database is still usable: nothing was started
  })

  it('in routerctl budget set (exit 1, naming the minimum)', T, async () => {
    const dir = cleanup.add(tempDir(), removeDir)
    seedDatabase(dir)
    const yaml = join(dir, 'router.yaml')
    writeFileSync(yaml, 'model:\n  baseUrl: https://llm.internal.example/v1\n  name: m\n')
    const io = captureIo(cliEnv(dir, { ROUTER_CONFIG: yaml }))
    expect(await routerctl(['budget', 'set', 'ask', '--context', '40', '--reason', 'test'], io)).toBe(1)
    expect(io.stderr()).toMatch(/context=40 is below the \d+ tokens .* set context= to at least \d+/)
  })
})
