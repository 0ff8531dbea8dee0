import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NO_MATCH_REPLY } from '../../helpers/english-texts.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { route } from '../../../src/router/route.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1 } from '../../helpers/router.js'
import { countingSkill } from '../../helpers/test-skills.js'

// route() on its own: which handler a message goes to, and the answer (and audit entry) when none fits.
// Contexts come through the real parse() and policy() first, as in the pipeline.

let h: ReturnType<typeof middlewareHarness>
beforeEach(() => {
  h = middlewareHarness({ skills: [countingSkill('count').skill] })
})
afterEach(() => h.close())

async function routed(input: Parameters<typeof h.context>[0]) {
  const ctx = await h.through([parse(h.config.limits), policy()], h.context(input))
  return { ctx, ...(await h.run(route(), ctx)) }
}

const entries = () => [...h.services.audit.entries()]

describe('route for /commands', () => {
  it('picks a known command, with its arguments parsed by the command’s schema', async () => {
    const { ctx, calledNext } = await routed(operatorCommand('/disable-skill Count too noisy'))
    expect(calledNext).toBe(true)
    expect(ctx.route).toBe('/disable-skill')
    expect(ctx.command?.def.name).toBe('disable-skill')
    expect(ctx.command?.args).toEqual({ skill: 'count', reason: 'too noisy' })
    expect(h.replies.sent).toEqual([])
  })

  it('answers an unknown command with the way to the list, on the record as rejected', async () => {
    const { ctx, calledNext } = await routed(operatorCommand('/nope now'))
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('no-match')
    expect(h.replies.texts()).toEqual(['Unknown command /nope. Type /help for the list.'])
    expect(entries()).toMatchObject([
      { actor: OP1.name, action: 'nope', outcome: 'rejected', args: { reason: 'unknown command', text: '/nope now' } },
    ])
  })

  it('answers bad arguments with the usage line and what was wrong', async () => {
    const { calledNext } = await routed(operatorCommand('/disable-skill'))
    expect(calledNext).toBe(false)
    expect(h.replies.texts()).toEqual([expect.stringMatching(/^Usage: \/disable-skill <skill> \[reason…\]\n\(skill: /)])
    expect(entries()).toMatchObject([{ action: 'disable-skill', outcome: 'rejected', args: { reason: 'usage' } }])
  })

  it('refuses a field given both as a word and as key=value, with the usage line, and runs nothing', async () => {
    const { ctx, calledNext } = await routed(operatorCommand('/approve abc id=def'))
    expect(calledNext).toBe(false)
    expect(ctx.command).toBeUndefined()
    expect(h.replies.texts()).toEqual(['Usage: /approve <id>\n(id= is given twice: once as a word, once as id=)'])
    expect(entries()).toMatchObject([{ action: 'approve', outcome: 'rejected', args: { reason: 'usage' } }])
  })

  it('answers a line it cannot read, saying why', async () => {
    const { calledNext } = await routed(operatorCommand('/status "unclosed'))
    expect(calledNext).toBe(false)
    expect(h.replies.texts()).toEqual([expect.stringMatching(/^Could not read that command: /)])
    expect(entries()).toMatchObject([
      { outcome: 'rejected', args: { reason: 'unreadable', text: '/status "unclosed' } },
    ])
  })
})

describe('route for skill text', () => {
  it('picks the first skill whose match fits, and names the route after it', async () => {
    const { ctx, calledNext } = await routed('count')
    expect(calledNext).toBe(true)
    expect(ctx.route).toBe('count')
    expect(ctx.skill?.def.name).toBe('count')
    expect(ctx.command).toBeUndefined()
  })

  it('answers text no skill matches with the pointer to help, and audits nothing', async () => {
    const { ctx, calledNext } = await routed('what is the weather')
    expect(calledNext).toBe(false)
    expect(ctx).toMatchObject({ outcome: 'no-match', route: 'unrouted' })
    expect(h.replies.texts()).toEqual([NO_MATCH_REPLY])
    expect(entries()).toEqual([])
  })
})
