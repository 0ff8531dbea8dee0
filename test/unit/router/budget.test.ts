import { afterEach, describe, expect, it } from 'vitest'
import type { RouterConfig } from '../../../src/config.js'
import { textsFor } from '../../../src/i18n/catalogue.js'
import { defineSkill, type SkillDefinition } from '../../../src/define.js'
import { budget } from '../../../src/router/budget.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { route } from '../../../src/router/route.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { auditedUpdate } from '../../helpers/state.js'

// budget() on its own: the route's limits resolved for the skill, and a text too big for them refused
// before any skill code runs. Contexts come through the real parse(), policy() and route() first.

const echo = defineSkill({
  name: 'echo',
  description: 'Says the text back (tests)',
  example: 'echo hello',
  match: /^echo /,
  risk: 'read',
  handler: ({ text }) => text,
}) as SkillDefinition<unknown>
const LONG = `echo ${'the checkout service answers 502 since the deploy at noon; '.repeat(4)}`

let h: ReturnType<typeof middlewareHarness>
afterEach(() => h.close())

const contextLimit = (tokens: number) => (c: RouterConfig) => ({
  ...c,
  budgets: { ...c.budgets, routes: { echo: { maxContextTokens: tokens } } },
})

function setUp(configure?: (c: RouterConfig) => RouterConfig) {
  h = middlewareHarness({ skills: [echo], configure })
  return async (text: string | ReturnType<typeof operatorCommand>) => {
    const ctx = await h.through([parse(h.config.limits), policy(), route()], h.context(text))
    return { ctx, ...(await h.run(budget(), ctx)) }
  }
}

describe('budget', () => {
  it('hands a skill message within its route’s limits on, with the limits that apply', async () => {
    const send = setUp(contextLimit(500))
    const { ctx, calledNext } = await send(LONG)
    expect(calledNext).toBe(true)
    expect(ctx.budget).toEqual({
      limits: { ...h.config.budgets.default, maxContextTokens: 500 },
      textTokens: undefined,
    })
  })

  it('refuses a text over the route’s maxContextTokens with the short reply, and counts it everywhere', async () => {
    const send = setUp(contextLimit(20))
    const { ctx, calledNext } = await send(LONG)
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('over-budget')
    const tokens = ctx.budget?.textTokens
    expect(tokens).toBeGreaterThan(20)
    expect(h.replies.texts()).toEqual([textsFor('en').budget.needsMoreInfo(tokens!, 20)])
    expect((await h.services.metrics.budgetRefusals.get()).values).toMatchObject([
      { labels: { route: 'echo' }, value: 1 },
    ])
    expect(h.services.events.list()).toMatchObject([{ route: 'echo', code: 'over-budget' }])
  })

  it('applies a runtime override set by an operator over the config', async () => {
    const send = setUp(contextLimit(500))
    auditedUpdate(h.services, 'alice', 'tight', (d) => void (d.budgets.echo = { maxContextTokens: 20 }))
    const { calledNext, ctx } = await send(LONG)
    expect(calledNext).toBe(false)
    expect(ctx.budget?.limits.maxContextTokens).toBe(20)
  })

  it('does not budget admin commands', async () => {
    const send = setUp(contextLimit(20))
    const { ctx, calledNext } = await send(operatorCommand('/status'))
    expect(calledNext).toBe(true)
    expect(ctx.budget).toBeUndefined()
  })
})
