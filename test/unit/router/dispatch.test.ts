import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { approval } from '../../../src/router/approval.js'
import { budget } from '../../../src/router/budget.js'
import { dispatch } from '../../../src/router/dispatch.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { route } from '../../../src/router/route.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1, OP2 } from '../../helpers/router.js'
import { auditedUpdate } from '../../helpers/state.js'
import { countingSkill } from '../../helpers/test-skills.js'
import { z } from 'zod'
import { commands as realCommands } from '../../../commands/index.js'
import type { AdminAction } from '../../../src/admin/actions/action.js'
import {
  actionCall,
  type CommandDefinition,
  defineCommand,
  defineSkill,
  type SkillDefinition,
} from '../../../src/define.js'
import { UserError } from '../../../src/errors.js'

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

describe('dispatch, a command that could not do what was asked is an error; a refusal is an answer', () => {
  // An action (or read) per way a command ends, beside the real commands.
  const action = (name: string, apply: AdminAction<object, undefined>['apply'], after?: () => Promise<never>) =>
    ({ name, apply, ...(after ? { after } : {}) }) as AdminAction<object, undefined>
  const command = (name: string, body: Pick<CommandDefinition<object>, 'action' | 'handler'>) =>
    defineCommand<object>({
      name,
      description: `${name} (tests)`,
      usage: `/${name}`,
      args: z.strictObject({}),
      approval: 'none',
      ...body,
    }) as CommandDefinition<unknown>
  const broken = action('broken-action', () => {
    throw new Error('the state file is corrupt')
  })
  const refusing = action('refusing-action', () => {
    throw new UserError('not while the moon is full')
  })
  const hookFails = action(
    'hook-fails',
    () => ({ kind: 'change', args: {}, result: undefined, reply: 'committed' }),
    () => Promise.reject(new Error('hook exited 1')),
  )
  const testCommands = [
    command('broken-action', { action: () => actionCall(broken, {}) }),
    command('refusing-action', { action: () => actionCall(refusing, {}) }),
    command('hook-fails', { action: () => actionCall(hookFails, {}) }),
    {
      ...command('hook-fails-approved', { action: () => actionCall(hookFails, {}) }),
      approval: 'second-operator' as const,
    },
    {
      ...command('refusing-approved', { action: () => actionCall(refusing, {}) }),
      approval: 'second-operator' as const,
    },
    command('broken-read', {
      handler: () => {
        throw new Error('socket closed')
      },
    }),
    command('refusing-read', {
      handler: () => {
        throw new UserError('say which skill')
      },
    }),
  ]

  let hh: ReturnType<typeof middlewareHarness>
  beforeEach(() => {
    hh = middlewareHarness({ skills: [countingSkill('count').skill], commands: [...realCommands, ...testCommands] })
  })
  afterEach(() => hh.close())

  const outcomes = () => [...hh.services.audit.entries()].map((e) => [e.action, e.outcome])

  it('an action that throws is an error, audited `failed`', async () => {
    const { ctx } = await dispatched(operatorCommand('/broken-action'), hh)
    expect(ctx.outcome).toBe('error')
    expect(hh.replies.texts()).toEqual(['/broken-action failed, nothing changed: the state file is corrupt'])
    expect(outcomes()).toEqual([['broken-action', 'failed']])
  })

  it('an action that refuses is an answer, audited `rejected`', async () => {
    const { ctx } = await dispatched(operatorCommand('/refusing-action'), hh)
    expect(ctx.outcome).toBe('replied')
    expect(hh.replies.texts()).toEqual(['not while the moon is full'])
    expect(outcomes()).toEqual([['refusing-action', 'rejected']])
  })

  it('a committed action whose follow-up failed is an error, though the change stands', async () => {
    const { ctx } = await dispatched(operatorCommand('/hook-fails'), hh)
    expect(ctx.outcome).toBe('error')
    expect(hh.replies.texts()).toEqual(['committed\n…but its follow-up failed: hook exited 1'])
    expect(outcomes()).toEqual([
      ['hook-fails', 'executed'],
      ['hook-fails-effect', 'failed'],
    ])
  })

  it('a read that throws is an error; one that refuses is an answer', async () => {
    const failed = await dispatched(operatorCommand('/broken-read'), hh)
    expect(failed.ctx.outcome).toBe('error')
    const refused = await dispatched(operatorCommand('/refusing-read'), hh)
    expect(refused.ctx.outcome).toBe('replied')
    expect(hh.replies.texts()).toEqual(['/broken-read failed: socket closed', 'say which skill'])
    expect(outcomes()).toEqual([
      ['broken-read', 'failed'],
      ['refusing-read', 'rejected'],
    ])
  })

  it('an approval whose action or follow-up failed is an error of /approve; one the action refuses is not', async () => {
    const approve = async (command: string) => {
      const before = [parse(hh.config.limits), policy(), route(), budget()]
      const asked = await hh.through(before, hh.context(operatorCommand(`/${command}`)))
      expect((await hh.run(approval(), asked)).calledNext).toBe(false)
      const request = hh.services.approvals.pending(hh.services.now()).find((r) => r.command === command)!
      return dispatched(operatorCommand(`/approve ${request.id}`, OP2.staffId), hh)
    }
    const failed = await approve('hook-fails-approved')
    expect(failed.ctx.outcome).toBe('error')
    expect(hh.replies.texts().at(-1)).toContain('…but its follow-up failed: hook exited 1')
    const refused = await approve('refusing-approved')
    expect(refused.ctx.outcome).toBe('replied')
    expect(outcomes()).toEqual([
      ['hook-fails-approved', 'requested'],
      ['hook-fails-approved', 'approved'],
      ['hook-fails', 'executed'],
      ['hook-fails-effect', 'failed'],
      ['refusing-approved', 'requested'],
      ['refusing-action', 'rejected'],
    ])
  })

  it('a command whose audit entry cannot be written is an error, and nothing changed', async () => {
    hh.db.exec("CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    const { ctx } = await dispatched(operatorCommand('/disable-skill count too noisy'), hh)
    expect(ctx.outcome).toBe('error')
    expect(hh.services.state.isSkillEnabled('count')).toBe(true)
    expect(hh.replies.texts()).toEqual([
      expect.stringMatching(/^The audit trail could not be written .* was NOT run\.$/),
    ])
    expect(outcomes()).toEqual([])
  })
})
