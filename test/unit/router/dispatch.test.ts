import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { approval } from '../../../src/router/approval.js'
import { budget } from '../../../src/router/budget.js'
import { dispatch } from '../../../src/router/dispatch.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { route } from '../../../src/router/route.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1 } from '../../helpers/router.js'
import { auditedUpdate } from '../../helpers/state.js'
import { countingSkill } from '../../helpers/test-skills.js'

// dispatch() on its own, the last step: it runs what route picked (an admin command through the one
// executor, or a skill) and answers; there is nothing after it. Contexts come through every step before it.

let h: ReturnType<typeof middlewareHarness>
let counter: ReturnType<typeof countingSkill>
beforeEach(() => {
  counter = countingSkill('count')
  h = middlewareHarness({ skills: [counter.skill] })
})
afterEach(() => h.close())

async function dispatched(input: Parameters<typeof h.context>[0]) {
  const before = [parse(h.config.limits), policy(), route(), budget(), approval()]
  const ctx = await h.through(before, h.context(input))
  return { ctx, ...(await h.run(dispatch(), ctx)) }
}

describe('dispatch', () => {
  it('runs an admin command through the executor: done, audited executed, and answered', async () => {
    const { ctx, calledNext } = await dispatched(operatorCommand('/disable-skill count too noisy'))
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('replied')
    expect(h.services.state.isSkillEnabled('count')).toBe(false)
    expect([...h.services.audit.entries()]).toMatchObject([
      { actor: OP1.name, action: 'disable-skill', outcome: 'executed' },
    ])
    expect(h.replies.texts()).toEqual([expect.stringContaining('"count" is off')])
  })

  it('runs a skill and sends its answer', async () => {
    const { ctx, calledNext } = await dispatched('count')
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('replied')
    expect(counter.runs()).toBe(1)
    expect(h.replies.texts()).toEqual(['counted 1'])
  })

  it('does not run a skill the operators turned off, and says so', async () => {
    auditedUpdate(h.services, OP1.name, 'noisy', (d) => void (d.skills.count = { enabled: false }))
    const { ctx } = await dispatched('count')
    expect(counter.runs()).toBe(0)
    expect(ctx.outcome).toBe('refused')
    expect(h.replies.texts()).toEqual(['"count" is turned off by the operators right now. Please try again later.'])
  })
})
