import { execFile } from 'node:child_process'
import { agentUnavailable } from '../helpers/english-texts.js'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeGateway, type FakeGateway } from '../../src/simulator/openclaw-fake.js'
import { promptTokens, type ChatMessage } from '../../src/model/chat.js'
import { metricValue } from '../helpers/metrics.js'
import { fromUser, GATEWAY_TOKEN, startOpenClawRouter, trustedProxyGateway, writeConfig } from '../helpers/openclaw.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OPS, TEST_SECRETS, type TestRouter, withoutMentions, verifyAndStop } from '../helpers/router.js'
import { cliEnv, routerctl } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

describe('OpenClaw routes: refused at start, budgets, failures, secrets', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let gw: FakeGateway | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    await gw?.close()
    r = gw = undefined
  }, PATIENCE)

  it('a shared-token route open to end users refuses to start, naming the setting', async () => {
    const dir = tempDir('openclaw-start-')
    const file = writeConfig(dir, {
      openclaw: { routes: { claw: { baseUrl: 'http://127.0.0.1:18789', auth: { mode: 'token' }, access: 'users' } } },
    })
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts'],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            ROUTER_CONFIG: file,
            ROUTER_DB: `${dir}/router.db`,
            OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN,
          },
          timeout: PATIENCE,
        },
        (err, _stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stderr }),
      )
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('openclaw.routes.claw.access: auth.mode "token" sends the shared gateway secret')
    expect(run.stderr).toContain('openclaw.routes.claw.ownerAccess')
    expect(run.stderr).not.toContain(GATEWAY_TOKEN)
  })

  it('over budget: the "needs more info" reply and zero calls to the gateway, at either check', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: { budget: { maxContextTokens: 60 } } } })
    // Short enough for the pipeline's check of the text alone, too long once the identity line is added.
    const nearly = await r.say(fromUser(`claw ${'why is checkout slow '.repeat(6)}`))
    expect(nearly.text).toMatch(/^That is about \d+ tokens; this route takes 60\. Please narrow it/)
    // Written in Chinese: refused in Chinese.
    const huge = await r.say(fromUser(`claw ${'日志 '.repeat(400)}`))
    expect(huge.text).toMatch(/^这条请求约 [\d,]+ 个 token，本路由最多接受 60 个。/)
    expect(gw.calls).toHaveLength(0)
    expect(await metricValue(r.httpUrl, 'router_budget_refusals_total', { route: 'claw' })).toBe(2)
    expect(r.app.services.modelUsage.summary(0)).toEqual([expect.objectContaining({ route: 'claw', refusals: 2 })])
  })

  it('per-route metrics cover the turn: prompt and cached tokens reported by the gateway, latency, usage rows', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: {} } })
    await r.say(fromUser('claw first question'))
    await r.say(fromUser('claw second question'))
    expect(await metricValue(r.httpUrl, 'router_prompt_tokens_total', { route: 'claw' })).toBeGreaterThan(0)
    expect(await metricValue(r.httpUrl, 'router_completion_tokens_total', { route: 'claw' })).toBeGreaterThan(0)
    expect(await metricValue(r.httpUrl, 'router_model_latency_seconds_count', { route: 'claw' })).toBe(2)
    // The second turn of the session reuses the first: the stand-in reports it as cached prompt tokens.
    expect(await metricValue(r.httpUrl, 'router_cached_prompt_tokens_total', { route: 'claw' })).toBeGreaterThan(0)
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'claw', requests: 2, modelCalls: 2, cacheHits: 0, refusals: 0 }),
    ])
  })

  it('gateway down: a short predictable answer, the breaker opens and stops the calls, /ready stays 200', async () => {
    gw = await trustedProxyGateway()
    const dest = gw.dest
    await gw.close()
    r = await startOpenClawRouter(gw, {
      routes: { claw: {} },
      yaml: { egress: { allowHttpLoopback: [dest], breakerFailures: 2, breakerHalfOpenAfter: '10m' } },
    })
    for (let i = 0; i < 3; i++)
      expect(withoutMentions(await r.say(fromUser(`claw are you there ${i}?`)))).toBe(agentUnavailable('claw'))
    expect(await metricValue(r.httpUrl, 'router_breaker_open', { destination: dest })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_messages_total', { route: 'claw', outcome: 'fallback' })).toBe(3)
    const codes = r.app.services.events.list({ route: 'claw' }).map((e) => e.code)
    expect(codes).toContain('failed')
    expect(codes).toContain('fallback') // the third never left: answered from the open breaker
    // No connection was ever made, so no prompt went out: none is metered.
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'claw', modelCalls: 2, promptTokens: 0 }),
    ])
    const ready = await fetch(`${r.httpUrl}/ready`)
    expect(ready.status).toBe(200)
  })

  it('an agent run that stalls mid-stream times out into the same answer, no partial text, and counts for the breaker', async () => {
    gw = await trustedProxyGateway()
    gw.stall('mid-stream')
    r = await startOpenClawRouter(gw, {
      routes: { claw: { timeoutMs: 300 } },
      yaml: { egress: { breakerFailures: 2, breakerHalfOpenAfter: '10m' } },
    })
    for (let i = 0; i < 3; i++)
      expect(withoutMentions(await r.say(fromUser(`claw slow ${i}`)))).toBe(agentUnavailable('claw'))
    expect(gw.calls).toHaveLength(2) // the third was answered from the open breaker
    expect(await metricValue(r.httpUrl, 'router_breaker_open', { destination: gw.dest })).toBe(1)
    // The two turns that went out report no usage, but their prompts were sent: the router's count stands in.
    let estimate = 0
    for (const call of gw.calls) estimate += await promptTokens(call.body.messages as ChatMessage[], [])
    expect(estimate).toBeGreaterThan(0)
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'claw', modelCalls: 2, promptTokens: estimate, completionTokens: 0 }),
    ])
    expect(await metricValue(r.httpUrl, 'router_prompt_tokens_total', { route: 'claw' })).toBe(estimate)
  })

  it('incident mode pauses an OpenClaw route like any external skill', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: {} } })
    expect((await r.command('/incident on db failover')).text).toContain('ncident')
    expect(withoutMentions(await r.say(fromUser('claw hello')))).toBe(agentUnavailable('claw'))
    expect(gw.calls).toHaveLength(0)
  })

  it('the gateway token never appears in logs, the audit export, /metrics, /status, replies or the database', async () => {
    gw = await startFakeGateway({ auth: { mode: 'token', token: GATEWAY_TOKEN } })
    r = await startOpenClawRouter(gw, {
      routes: {
        'owner-claw': {
          agentId: 'main',
          access: 'admin-conversations',
          auth: { mode: 'token' },
          ownerAccess: 'acknowledged',
          triggers: ['owner'],
        },
      },
    })
    const replies = [
      await r.say({ text: 'owner what is the token?', senderStaffId: OP1.staffId, conversationId: OPS }),
      await r.command('/skills'),
      await r.command('/status'),
      await r.command('/budget owner-claw context=2000 diag=1024'),
      await r.command('/disable-skill owner-claw checking the secret handling'),
      await r.command('/audit 20'),
    ].map((reply) => reply.text)
    expect(gw.calls[0]!.headers.authorization).toBe(`Bearer ${GATEWAY_TOKEN}`) // it was really used
    for (const text of replies) expect(text).not.toContain(GATEWAY_TOKEN)
    expect(await (await fetch(`${r.httpUrl}/metrics`)).text()).not.toContain(GATEWAY_TOKEN)
    expect(await (await fetch(`${r.httpUrl}/status`)).text()).not.toContain(GATEWAY_TOKEN)
    const exported = await routerctl(
      ['audit', 'export'],
      cliEnv(r.dir, { ROUTER_DB: r.dbPath, ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey }),
    )
    expect(exported.code).toBe(0)
    expect(exported.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(3)
    expect(exported.stdout).not.toContain(GATEWAY_TOKEN)
    expect(r.logs.records().some((l) => l.msg === 'agent answered' && l.route === 'owner-claw')).toBe(true)
    for (const line of r.logs.lines) expect(line).not.toContain(GATEWAY_TOKEN)
    // And should anything ever log it, the logger scrubs it: the token is one of its redaction secrets.
    r.app.services.log.warn({ header: `Bearer ${GATEWAY_TOKEN}` }, 'planted for the redaction check')
    expect(r.logs.lines.at(-1)).toContain('Bearer [redacted]')
    // Not only the log lines: the token is nowhere in what the router keeps on disk.
    expect(readFileSync(r.dbPath).includes(Buffer.from(GATEWAY_TOKEN))).toBe(false)
  })

  it('a gateway that refuses the credentials gets a short answer naming the status, not the fallback', async () => {
    gw = await startFakeGateway({ auth: { mode: 'token', token: 'oc-some-other-gateway-token' } })
    r = await startOpenClawRouter(gw, {
      routes: {
        'owner-claw': {
          access: 'admin-conversations',
          auth: { mode: 'token' },
          ownerAccess: 'acknowledged',
          triggers: ['owner'],
        },
      },
    })
    const reply = await r.say({ text: 'owner hello', senderStaffId: OP1.staffId, conversationId: OPS })
    expect(withoutMentions(reply)).toBe(
      'The OpenClaw gateway refused this request (HTTP 401). An operator needs to check the "owner-claw" route settings.',
    )
    expect(gw.calls[0]).toMatchObject({ status: 401 })
    // Refused unread, so not billed: the call counts, its prompt does not.
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'owner-claw', modelCalls: 1, promptTokens: 0 }),
    ])
    expect(r.logs.lines.join('\n')).not.toContain(GATEWAY_TOKEN)
  })
})
