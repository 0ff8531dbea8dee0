import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OPS, type TestRouter, withoutMentions, startTestRouter, verifyAndStop } from '../helpers/router.js'

describe('who may command the router', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('refuses a non-operator in the admin group and audits it as rejected', async () => {
    r = await startTestRouter()
    const reply = await r.say({ text: '/status', senderStaffId: 'user9', conversationId: OPS })
    expect(withoutMentions(reply)).toBe(COMMAND_REFUSAL)
    // Counted at once, written to the chain when the minute closes or an operator reads /audit.
    r.app.services.refusals.flush(r.app.services.now(), { all: true })
    expect(r.app.services.audit.recent(1)[0]).toMatchObject({
      actor: 'staff:user9',
      channel: 'dingtalk',
      action: 'status',
      outcome: 'rejected',
      args: { reason: 'not an operator', conversationId: OPS, count: 1 },
    })
  })

  it('grants nothing for a spoofed isAdmin or an operator name used as senderNick', async () => {
    r = await startTestRouter()
    const spoofed = await r.say({
      text: '/disable-skill ping',
      senderStaffId: 'mallory',
      senderNick: OP1.name,
      isAdmin: true,
      conversationId: OPS,
    })
    expect(withoutMentions(spoofed)).toBe(COMMAND_REFUSAL)
    const external = await r.say({
      text: '/whoami',
      senderStaffId: null,
      senderNick: OP1.name,
      isAdmin: true,
      conversationId: OPS,
    })
    expect(withoutMentions(external)).toBe(COMMAND_REFUSAL)
    // Nothing ran: the skill still answers, and the refusals name the real sender, never the nick.
    expect((await r.say('ping')).text).toBe('pong')
    r.app.services.refusals.flush(r.app.services.now(), { all: true })
    const rejected = r.app.services.audit.recent(50).filter((e) => e.outcome === 'rejected')
    expect(rejected.map((e) => e.actor).sort()).toEqual([expect.stringMatching(/^sender:/), 'staff:mallory'])
    expect(rejected.every((e) => e.args.reason === 'not an operator')).toBe(true)
    expect(r.app.services.audit.recent(50).some((e) => e.actor === OP1.name)).toBe(false)
  })

  it('refuses an operator outside the admin group and in a one-to-one chat', async () => {
    r = await startTestRouter()
    const otherGroup = await r.say({ text: '/status', senderStaffId: OP1.staffId, conversationId: 'cid-random-group' })
    expect(withoutMentions(otherGroup)).toBe(COMMAND_REFUSAL)
    const oneToOne = await r.say({ text: '/status', senderStaffId: OP1.staffId })
    expect(oneToOne.text).toBe(COMMAND_REFUSAL)
    const rejected = r.app.services.audit.recent(50).filter((e) => e.outcome === 'rejected')
    expect(rejected).toHaveLength(2)
    for (const e of rejected)
      expect(e).toMatchObject({ actor: `staff:${OP1.staffId}`, args: { reason: 'not an admin conversation' } })
    // The same operator in the admin group is answered.
    expect((await r.command('/whoami')).text).toContain(OP1.staffId)
  })

  it('answers an unknown command and a bad argument list with something to act on', async () => {
    r = await startTestRouter()
    expect(withoutMentions(await r.command('/frobnicate now'))).toBe(
      'Unknown command /frobnicate. Type /help for the list.',
    )
    expect((await r.command('/enable-skill')).text).toMatch(/^Usage: \/enable-skill <skill>\n/)
    expect((await r.command('/whoami please')).text).toMatch(/^Usage: \/whoami\n/)
    expect((await r.command('/audit lots')).text).toMatch(
      /^Usage: \/audit \[all\] \[n\] \[actor=<name>\] \[action=<name>\]\n/,
    )
    expect((await r.command('/review ack')).text).toMatch(/^Usage: \/review \[ack <seq>\]\n/)
    expect((await r.command('/approve')).text).toMatch(/^Usage: \/approve <id>\n/)
    const typo = await r.command('/enable-skill pnig')
    expect(typo.text).toContain('No skill named "pnig"')
    expect(r.app.services.approvals.pending(r.app.services.now())).toHaveLength(0)
  })
})
