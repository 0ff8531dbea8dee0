import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../../helpers/english-texts.js'
import type { RouterConfig } from '../../../src/config.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1, OPS } from '../../helpers/router.js'

// policy() on its own: who may run a /command here, and which end users may talk to the bot at all.
// Each context first goes through the real parse(), which is what splits the command line.

let h: ReturnType<typeof middlewareHarness>
afterEach(() => h.close())

async function decide(input: Parameters<typeof h.context>[0]) {
  const ctx = h.context(input)
  await h.run(parse(h.config.limits), ctx)
  return { ctx, ...(await h.run(policy(), ctx)) }
}

const entries = () => [...h.services.audit.entries()]
const users =
  (allow: string[], allowExternal = false) =>
  (c: RouterConfig) => ({ ...c, users: { allow, allowExternal } })

describe('policy for /commands', () => {
  it('lets an allowlisted operator of the bot’s org command in an admin conversation, and names the operator', async () => {
    h = middlewareHarness()
    const { ctx, calledNext } = await decide(operatorCommand('/status'))
    expect(calledNext).toBe(true)
    expect(ctx.operator).toEqual(OP1)
    expect(h.replies.sent).toEqual([])
    expect(entries()).toEqual([])
  })

  it('refuses an operator outside an admin conversation, with an audit entry per attempt', async () => {
    h = middlewareHarness()
    const { ctx, calledNext } = await decide({
      text: '/status',
      senderStaffId: OP1.staffId,
      conversationId: 'cid-other',
    })
    expect(calledNext).toBe(false)
    expect(ctx).toMatchObject({ outcome: 'refused', route: 'admin-refused' })
    expect(ctx.operator).toBeUndefined()
    expect(h.replies.texts()).toEqual([COMMAND_REFUSAL])
    expect(entries()).toMatchObject([
      {
        actor: `staff:${OP1.staffId}`,
        action: 'status',
        outcome: 'rejected',
        args: { conversationId: 'cid-other', reason: 'not an admin conversation', text: '/status' },
      },
    ])
  })

  it('refuses anyone else with the same words, and tallies the attempt instead of one entry per message', async () => {
    h = middlewareHarness()
    for (let i = 0; i < 3; i++) {
      const { calledNext } = await decide({ text: '/disable-skill ping', senderStaffId: 'user9', conversationId: OPS })
      expect(calledNext).toBe(false)
    }
    expect(h.replies.texts()).toEqual([COMMAND_REFUSAL, COMMAND_REFUSAL, COMMAND_REFUSAL])
    expect(entries()).toEqual([])
    const flushed = h.services.refusals.flush(h.services.now(), { all: true })
    expect(flushed).toHaveLength(1)
    expect(flushed[0]).toMatchObject({ actor: 'staff:user9', outcome: 'rejected' })
    expect(JSON.stringify(flushed[0]!.args)).toContain('"count":3')
  })

  it('refuses an operator’s staffId sent from another org', async () => {
    h = middlewareHarness()
    const { ctx, calledNext } = await decide({ ...operatorCommand('/status'), senderCorpId: 'ding-another-org' })
    expect(calledNext).toBe(false)
    expect(ctx.operator).toBeUndefined()
    expect(h.replies.texts()).toEqual([COMMAND_REFUSAL])
    const [entry] = h.services.refusals.flush(h.services.now(), { all: true })
    expect(JSON.stringify(entry!.args)).toContain('sender from another org')
  })

  it('grants nothing for DingTalk’s isAdmin flag', async () => {
    h = middlewareHarness()
    const { calledNext } = await decide({ text: '/status', senderStaffId: 'user9', conversationId: OPS, isAdmin: true })
    expect(calledNext).toBe(false)
    expect(h.replies.texts()).toEqual([COMMAND_REFUSAL])
  })
})

describe('policy for end-user messages', () => {
  it('lets everyone in the org talk by default (users.allow ["*"])', async () => {
    h = middlewareHarness()
    expect((await decide({ text: 'ping', senderStaffId: 'user9' })).calledNext).toBe(true)
  })

  it('refuses staff off the users allowlist, but never an operator', async () => {
    h = middlewareHarness({ configure: users(['user1']) })
    expect((await decide({ text: 'ping', senderStaffId: 'user1' })).calledNext).toBe(true)
    expect((await decide({ text: 'ping', senderStaffId: OP1.staffId })).calledNext).toBe(true)
    const refused = await decide({ text: 'ping', senderStaffId: 'user9' })
    expect(refused.calledNext).toBe(false)
    expect(refused.ctx.outcome).toBe('refused')
    expect(h.replies.texts()).toEqual([expect.stringMatching(/not allowed to use this bot/)])
  })

  it('refuses external users (no staffId) unless users.allowExternal', async () => {
    h = middlewareHarness()
    expect((await decide({ text: 'ping', senderStaffId: null })).calledNext).toBe(false)
    h.close()
    h = middlewareHarness({ configure: users(['*'], true) })
    expect((await decide({ text: 'ping', senderStaffId: null })).calledNext).toBe(true)
  })
})
