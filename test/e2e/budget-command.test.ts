import { afterEach, describe, expect, it } from 'vitest'
import { budgetAction } from '../../src/admin/actions/budget.js'
import { applyAction } from '../../src/admin/actions/execute.js'
import { effectiveBudget } from '../../src/budget/resolve.js'
import { ask, startBudgetRouter } from '../helpers/budget.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP2, type TestRouter, withoutMentions, verifyAndStop } from '../helpers/router.js'

function askBudget(r: TestRouter) {
  const { config, state } = r.app.services
  return effectiveBudget(config, state.current().state, 'ask')
}

function budgetChanges(r: TestRouter) {
  return [...r.app.services.audit.entries()].filter((e) => e.action === 'budget' && e.outcome === 'executed')
}

describe('/budget: show, lower at once, raise with a second operator', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('lowers instantly, needs approval to raise, and audits old and new values', async () => {
    r = await startBudgetRouter({ routes: { ask: { maxToolCalls: 2 } } })
    const start = askBudget(r)
    expect(start.limits).toEqual({ maxContextTokens: 4000, maxDiagnosticBytes: 2048, maxToolCalls: 2 })
    expect(start.source).toEqual({ maxContextTokens: 'default', maxDiagnosticBytes: 'default', maxToolCalls: 'config' })

    // Lowering narrows what the route may spend: it runs at once.
    const lowered = await r.command('/budget ask context=2000 diag=1024')
    expect(withoutMentions(lowered)).toBe(
      'Budget of **ask**: context 4,000 → 2,000, diag 2,048 → 1,024 (by alice, state v1).',
    )
    expect(askBudget(r).limits).toEqual({ maxContextTokens: 2000, maxDiagnosticBytes: 1024, maxToolCalls: 2 })
    expect(budgetChanges(r)).toEqual([
      expect.objectContaining({
        actor: 'alice',
        channel: 'dingtalk',
        outcome: 'executed',
        approvalId: null,
        args: expect.objectContaining({
          route: 'ask',
          context: '2000',
          diag: '1024',
          old: { context: 4000, diag: 2048, tools: 2 },
          new: { context: 2000, diag: 1024, tools: 2 },
          stateVersion: 1,
        }),
      }),
    ])

    // Raising any one limit (even alongside a lowering) needs a second operator; nothing changes yet.
    const request = await r.command('/budget ask context=8000 tools=1')
    expect(request.text).toContain('Approval needed: /budget')
    expect(request.text).toContain('context: 2,000 → 8,000 (raise)')
    expect(request.text).toContain('tools: 2 → 1')
    const id = /\/approve ([a-z2-7]{10})/.exec(request.text)?.[1]
    expect(id, request.text).toBeDefined()
    expect(askBudget(r).limits.maxContextTokens).toBe(2000)
    expect(budgetChanges(r)).toHaveLength(1)

    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.text).toContain('context 2,000 → 8,000, tools 2 → 1')
    expect(askBudget(r)).toMatchObject({
      limits: { maxContextTokens: 8000, maxDiagnosticBytes: 1024, maxToolCalls: 1 },
      source: { maxContextTokens: 'runtime', maxDiagnosticBytes: 'runtime', maxToolCalls: 'runtime' },
    })
    expect(budgetChanges(r)[1]).toMatchObject({
      actor: 'bob',
      approvalId: id,
      args: {
        route: 'ask',
        old: { context: 2000, diag: 1024, tools: 2 },
        new: { context: 8000, diag: 1024, tools: 1 },
        stateVersion: 2,
      },
    })
    // Every version of the runtime state is kept, so a change can be traced and rolled back.
    expect(r.app.services.state.history(5).map((v) => v.state.budgets.ask)).toEqual([
      { maxContextTokens: 8000, maxDiagnosticBytes: 1024, maxToolCalls: 1 },
      { maxContextTokens: 2000, maxDiagnosticBytes: 1024 },
    ])

    // Keeping a value is not a raise, and changes nothing.
    expect(withoutMentions(await r.command('/budget ask context=8000'))).toBe(
      'Nothing changed: the budget of ask already has those values.',
    )
  })

  it('shows budgets and usage, and the pipeline applies a lowered budget to the next message', async () => {
    r = await startBudgetRouter()
    const all = await r.command('/budget')
    expect(all.text).toContain('| route | context | diag | tools | last hour |')
    expect(all.text).toContain('| ask | 4,000 | 2,048 | 3 | no model use |')
    expect(all.text).toContain('| ping | 4,000 | 2,048 | 3 | no model use |')

    expect((await r.command('/budget ping context=10')).text).toContain('context 4,000 → 10')
    const reply = (await r.say('ping')).text
    expect(reply).toBe('pong') // 4 bytes: within 10 tokens without even counting
    expect(await ask(r, 'hello')).toContain('no model is configured')
    expect((await r.command('/budget ask context=5')).text).toContain('context 4,000 → 5')
    expect(await ask(r, 'why is checkout slow since the deploy?')).toMatch(
      /^That is about \d+ tokens; this route takes 5\./,
    )

    const one = await r.command('/budget ask')
    expect(one.text).toContain('- **context:** 5 tokens (runtime)')
    expect(one.text).toContain('- **diag:** 2,048 bytes (default)')
    expect(one.text).toMatch(
      /- \*\*Last hour:\*\* 0 requests, 0 prompt \+ 0 completion tokens, 0 tool calls, cache 0 hit \/ 0 miss, 1 refused/,
    )

    // Mistakes are answered with what is wrong; nothing changes.
    expect((await r.command('/budget nosuch context=5')).text).toContain('No route named "nosuch"')
    expect((await r.command('/budget ask context=0')).text).toContain(
      'context= must be a whole number from 1 to 2,000,000',
    )
    expect((await r.command('/budget ask context=lots')).text).toContain('Usage: /budget')
    expect((await r.command('/budget context=5')).text).toContain('Usage: /budget')
  })

  it('routerctl and chat share one action: same change, same audit shape', async () => {
    r = await startBudgetRouter()
    const done = applyAction(
      r.app.services,
      budgetAction,
      { route: 'ask', tools: '0', reason: 'runaway tool loop' },
      { name: 'root', channel: 'cli', osUser: 'root' },
    )
    expect(done).toMatchObject({ ok: true, result: { route: 'ask', before: { tools: 3 }, after: { tools: 0 } } })
    expect(budgetChanges(r)[0]).toMatchObject({
      actor: 'root',
      channel: 'cli',
      breakGlass: true,
      osUser: 'root',
      args: { route: 'ask', old: { tools: 3 }, new: { tools: 0 }, reason: 'runaway tool loop' },
    })
    expect((await r.command('/budget ask')).text).toContain('- **tools:** 0 calls (runtime)')
  })
})
