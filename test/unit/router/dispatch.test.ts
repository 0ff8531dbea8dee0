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
import { defineSkill, type SkillDefinition } from '../../../src/define.js'

// dispatch() on its own, the last step: it runs what route picked (an admin command through the one
// executor, or a skill) and answers; there is nothing after it. Contexts come through every step before it.

let h: ReturnType<typeof middlewareHarness>
let counter: ReturnType<typeof countingSkill>
beforeEach(() => {
  counter = countingSkill('count')
  h = middlewareHarness({ skills: [counter.skill] })
})
afterEach(() => h.close())

async function dispatched(input: Parameters<typeof h.context>[0], harness = h) {
  const before = [parse(harness.config.limits), policy(), route(), budget(), approval()]
  const ctx = await harness.through(before, harness.context(input))
  return { ctx, ...(await harness.run(dispatch(), ctx)) }
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

describe('dispatch, a handler that throws at once', () => {
  const throwing = (withFallback: boolean) =>
    defineSkill({
      name: withFallback ? 'brittle' : 'broken',
      description: 'Throws before it returns a promise (tests)',
      example: withFallback ? 'brittle' : 'broken',
      match: withFallback ? /^brittle$/ : /^broken$/,
      risk: 'read',
      handler: () => {
        throw new Error('thrown at once')
      },
      ...(withFallback ? { fallback: () => 'from the fallback' } : {}),
    }) as SkillDefinition<unknown>

  it('is answered from its fallback, like one that fails later', async () => {
    const hh = middlewareHarness({ skills: [throwing(true)] })
    try {
      const { ctx } = await dispatched('brittle', hh)
      expect(ctx.outcome).toBe('fallback')
      expect(ctx.failure).toBe('skill-failed')
      expect(hh.replies.texts()).toEqual(['from the fallback'])
    } finally {
      hh.close()
    }
  })

  it('without a fallback, fails the step with its error (observe answers it)', async () => {
    const hh = middlewareHarness({ skills: [throwing(false)] })
    try {
      await expect(dispatched('broken', hh)).rejects.toThrow('thrown at once')
      expect(hh.replies.texts()).toEqual([])
    } finally {
      hh.close()
    }
  })
})
