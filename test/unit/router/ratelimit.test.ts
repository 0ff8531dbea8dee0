import { afterEach, describe, expect, it } from 'vitest'
import { ratelimit } from '../../../src/router/ratelimit.js'
import { fakeClock } from '../../helpers/ops-services.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1, OPS } from '../../helpers/router.js'

// ratelimit() on its own, with small limits and a clock the test moves: one polite notice per window, then
// silence; operators have their own limit; a dropped /command is counted for the audit trail.

const LIMITS = { perUserPerMinute: 2, perConversationPerMinute: 3, operatorPerMinute: 4 }
const NOTICE = 'You are sending messages faster than I can take them. Please wait a minute and try again.'

let h: ReturnType<typeof middlewareHarness>
afterEach(() => h.close())

function setUp() {
  const clock = fakeClock()
  h = middlewareHarness({ now: clock.now })
  const step = ratelimit(LIMITS)
  const send = async (input: Parameters<typeof h.context>[0]) => {
    const ctx = h.context(input)
    return { ctx, ...(await h.run(step, ctx)) }
  }
  return { clock, send }
}

async function limited(scope: string): Promise<number> {
  const { values } = await h.services.metrics.rateLimited.get()
  return values.find((v) => v.labels.scope === scope)?.value ?? 0
}

describe('ratelimit', () => {
  it('lets a user’s messages through up to the limit, then notices once, then drops silently', async () => {
    const { send } = setUp()
    const verdicts = []
    for (let i = 0; i < 4; i++) verdicts.push((await send({ text: 'ping', senderStaffId: 'user1' })).calledNext)
    expect(verdicts).toEqual([true, true, false, false])
    expect(h.replies.texts()).toEqual([NOTICE])
    expect(await limited('user')).toBe(2)
  })

  it('starts a fresh window after a minute', async () => {
    const { clock, send } = setUp()
    for (let i = 0; i < 3; i++) await send({ text: 'ping', senderStaffId: 'user1' })
    clock.advance(60_000)
    const again = await send({ text: 'ping', senderStaffId: 'user1' })
    expect(again.calledNext).toBe(true)
    expect(again.ctx.outcome).toBe('pending')
  })

  it('limits a group across its users, and says so once', async () => {
    const { send } = setUp()
    const group = (user: string) => ({ text: 'ping', senderStaffId: user, conversationId: 'cid-group-1' })
    const verdicts = []
    for (const user of ['user1', 'user2', 'user3', 'user4', 'user5'])
      verdicts.push((await send(group(user))).calledNext)
    expect(verdicts).toEqual([true, true, true, false, false])
    expect(h.replies.texts()).toEqual([NOTICE])
    expect(await limited('conversation')).toBe(2)
  })

  it('gives an operator in the admin group its own limit, which does not use up the group’s', async () => {
    const { send } = setUp()
    const verdicts = []
    for (let i = 0; i < 5; i++) verdicts.push((await send(operatorCommand('/status'))).calledNext)
    expect(verdicts).toEqual([true, true, true, true, false])
    expect(await limited('operator')).toBe(1)
    // The group's own limit is untouched by the operator: another member still gets through.
    expect((await send({ text: 'ping', senderStaffId: 'user1', conversationId: OPS })).calledNext).toBe(true)
  })

  it('never drops a /command silently from the trail: it is tallied as rejected', async () => {
    const { send } = setUp()
    for (let i = 0; i < 3; i++) await send({ text: '/status', senderStaffId: 'user9' })
    const dropped = await send({ text: '/status', senderStaffId: 'user9' })
    expect(dropped.ctx.outcome).toBe('rate-limited')
    const entries = h.services.refusals.flush(h.services.now(), { all: true })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actor: 'staff:user9', outcome: 'rejected' })
    expect(JSON.stringify(entries[0]!.args)).toContain('rate-limited (user)')
    expect(JSON.stringify(entries[0]!.args)).toContain('"count":2')
  })

  it('names the operator, not the staffId, on a dropped operator command', async () => {
    const { send } = setUp()
    for (let i = 0; i < 5; i++) await send(operatorCommand('/status'))
    const [entry] = h.services.refusals.flush(h.services.now(), { all: true })
    expect(entry).toMatchObject({ actor: OP1.name })
  })
})
