import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import type { AuditEntry } from '../../src/store/audit.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, OPS, withoutMentions, type TestRouter, startTestRouter, verifyAndStop } from '../helpers/router.js'

const FOREIGN_CORP = 'dingforeigncorp9'
const NOTICE = 'You are sending messages faster than I can take them. Please wait a minute and try again.'
const REFUSED_LOG = 'refused an admin command'
const DROPPED_LOG = 'dropped a command over the rate limit; audited'

/** A clock fixed a few seconds into a minute, so a burst cannot straddle two minutes (two tally rows). */
function fixedClock(): () => number {
  const t = Math.floor(Date.now() / 60_000) * 60_000 + 5_000
  return () => t
}

const entriesBy = (r: TestRouter, actor: string): AuditEntry[] =>
  [...r.app.services.audit.entries()].filter((e) => e.actor === actor)

/** Sends `count` copies of a line without waiting for replies; resolves once the router has handled each one. */
async function burst(r: TestRouter, count: number, input: Parameters<TestRouter['sim']['sendMessage']>[0]) {
  const ids = Array.from({ length: count }, () => r.sim.sendMessage(input).msgId)
  await Promise.all(
    ids.map((id) =>
      r.logs.waitFor((l) => l.msgId === id && (l.msg === REFUSED_LOG || l.msg === DROPPED_LOG), PATIENCE),
    ),
  )
  return ids
}

/** Waits for the first `n` replies to any of `ids`, in the order they arrived. */
async function repliesTo(r: TestRouter, ids: string[], n: number) {
  const got = []
  let afterSeq = 0
  while (got.length < n) {
    const next = await r.sim.waitForReply({ afterSeq, predicate: (x) => !!x.msgId && ids.includes(x.msgId) }, PATIENCE)
    got.push(next)
    afterSeq = next.seq
  }
  return got
}

describe('identity and least privilege: who may command, and what the trail keeps', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('the simulator sends senderCorpId and chatbotCorpId, the same corp unless told otherwise', async () => {
    r = await startTestRouter()
    const own = r.sim.sendMessage({ text: 'ping' }).payload
    expect(own.senderCorpId).toEqual(expect.any(String))
    expect(own.senderCorpId).toBe(own.chatbotCorpId)
    const foreign = r.sim.sendMessage({ text: 'ping', senderCorpId: FOREIGN_CORP }).payload
    expect(foreign).toMatchObject({ senderCorpId: FOREIGN_CORP, chatbotCorpId: own.chatbotCorpId })
  })

  it("refuses an operator's staffId from another org, audited as rejected with the reason", async () => {
    r = await startTestRouter({ now: fixedClock() })
    const s = r.app.services
    const reply = await r.say({
      text: '/disable-skill ping',
      senderStaffId: OP1.staffId,
      conversationId: OPS,
      senderCorpId: FOREIGN_CORP,
    })
    expect(withoutMentions(reply)).toBe(COMMAND_REFUSAL)
    expect(s.state.isSkillEnabled('ping')).toBe(true)
    // The same staffId, from a payload without a sender corp at all, fails closed too.
    const noCorp = await r.say({
      text: '/disable-skill ping',
      senderStaffId: OP1.staffId,
      conversationId: OPS,
      extra: { senderCorpId: undefined },
    })
    expect(withoutMentions(noCorp)).toBe(COMMAND_REFUSAL)
    expect(s.state.isSkillEnabled('ping')).toBe(true)

    const listing = (await r.command('/audit all', OP2)).text
    expect(listing).toMatch(/staff:op1 disable-skill \*\*rejected\*\* ×2/)
    const [entry, ...more] = entriesBy(r, `staff:${OP1.staffId}`)
    expect(more).toEqual([])
    expect(entry).toMatchObject({
      channel: 'dingtalk',
      action: 'disable-skill',
      outcome: 'rejected',
      args: { count: 2, reason: 'sender from another org', senderCorpId: FOREIGN_CORP, conversationId: OPS },
    })
    // No entry in the operator's name: nothing ran as alice.
    expect(entriesBy(r, OP1.name)).toEqual([])
    // The real operator, from the bot's own org, is obeyed.
    expect(withoutMentions(await r.command('/disable-skill ping'))).toContain('ping')
    expect(s.state.isSkillEnabled('ping')).toBe(false)
  })

  it('a configured corp id (DINGTALK_CORP_ID) replaces the robot corp as the one that may command', async () => {
    r = await startTestRouter({ env: { DINGTALK_CORP_ID: 'dingconfigured01' } })
    // The simulator's own corp is now foreign.
    expect(withoutMentions(await r.command('/whoami'))).toBe(COMMAND_REFUSAL)
    const ok = await r.say({
      text: '/whoami',
      senderStaffId: OP1.staffId,
      conversationId: OPS,
      senderCorpId: 'dingconfigured01',
    })
    expect(withoutMentions(ok)).toContain(OP1.staffId)
  })

  it('50 refused attempts from one sender in a minute are one audit row with count 50', async () => {
    r = await startTestRouter({ now: fixedClock() })
    const seqBefore = r.app.services.audit.recent(1)[0]?.seq ?? 0
    const ids = await burst(r, 50, { text: '/status', senderStaffId: 'user9', conversationId: OPS })
    // Twenty refusals (the per-user limit), one notice, then silence; every one of the 50 is counted.
    const replies = await repliesTo(r, ids, 21)
    expect(replies.filter((x) => withoutMentions(x) === COMMAND_REFUSAL)).toHaveLength(20)
    expect(replies.filter((x) => withoutMentions(x) === NOTICE)).toHaveLength(1)
    // Nothing is in the chain yet: the minute is still open.
    expect(r.app.services.audit.recent(100).filter((e) => e.seq > seqBefore && e.actor === 'staff:user9')).toEqual([])

    const listing = (await r.command('/audit all')).text
    expect(listing).toMatch(/staff:user9 status \*\*rejected\*\* ×50/)
    const rows = entriesBy(r, 'staff:user9')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.args).toMatchObject({
      count: 50,
      reason: 'rate-limited (user)',
      reasons: { 'not an operator': 20, 'rate-limited (user)': 30 },
      conversationId: OPS,
      text: '/status',
    })
  })

  it('/audit lists operator actions first and says what it left out; /audit all shows everything', async () => {
    r = await startTestRouter({ now: fixedClock() })
    expect(withoutMentions(await r.command('/disable-skill ping too noisy'))).toContain('ping')
    await burst(r, 5, { text: '/enable-skill ping', senderStaffId: 'user7', conversationId: OPS })
    await burst(r, 3, { text: '/incident on', senderStaffId: null, senderNick: 'guest', conversationId: OPS })

    const plain = (await r.command('/audit', OP2)).text
    expect(plain).toContain('operator and system entries')
    expect(plain).toMatch(/alice disable-skill \*\*executed\*\*/)
    expect(plain).not.toContain('user7')
    expect(plain).not.toContain('sender:')
    expect(plain).toContain(
      'Not shown: 2 entries of refused commands by non-operators (8 attempts); /audit all lists them.',
    )

    const all = (await r.command('/audit all 50', OP2)).text
    expect(all).toMatch(/staff:user7 enable-skill \*\*rejected\*\* ×5/)
    expect(all).toMatch(/sender:\S+ incident \*\*rejected\*\* ×3/)
    expect(all).toMatch(/alice disable-skill \*\*executed\*\*/)
    // Asking for one actor shows that actor's entries, refusals included.
    expect(withoutMentions(await r.command('/audit actor=staff:user7', OP2))).toMatch(/staff:user7 enable-skill/)
    expect(withoutMentions(await r.command('/audit everything', OP2))).toMatch(/^Usage: \/audit \[all\] \[n\]/)
  })

  it("an operator's commands past the end-user limit still run; past the operator limit they are dropped and audited", async () => {
    r = await startTestRouter({
      now: fixedClock(),
      configure: (c) => ({ ...c, limits: { ...c.limits, perUserPerMinute: 3, operatorPerMinute: 8 } }),
    })
    // Six commands: twice the end-user limit, all answered.
    for (let i = 0; i < 6; i++) expect(withoutMentions(await r.command('/whoami'))).toContain(OP1.staffId)
    expect(withoutMentions(await r.command('/incident on drill ttl=1h'))).toContain('Incident mode on')
    expect(r.app.services.state.current().state.incident.on).toBe(true)
    expect(withoutMentions(await r.command('/pending'))).not.toBe(NOTICE)
    // Past the operator limit: a notice, then silence, and each dropped command is counted.
    expect(withoutMentions(await r.command('/approve abcdefghij'))).toBe(NOTICE)
    await burst(r, 2, { text: '/status', senderStaffId: OP1.staffId, conversationId: OPS })

    // Another operator reads the trail: the dropped commands are there, under alice, with their count.
    const listing = (await r.command('/audit', OP2)).text
    expect(listing).toMatch(/alice status \*\*rejected\*\* ×3/)
    const dropped = entriesBy(r, OP1.name).filter((e) => e.outcome === 'rejected')
    expect(dropped).toHaveLength(1)
    expect(dropped[0]!.args).toMatchObject({
      count: 3,
      reason: 'rate-limited (operator)',
      commands: { approve: 1, status: 2 },
    })
    // An end user in the same admin group still has the end-user limit.
    const user = { text: 'ping', senderStaffId: 'user1', conversationId: OPS }
    for (let i = 0; i < 3; i++) expect(withoutMentions(await r.say(user))).toBe('pong')
    expect(withoutMentions(await r.say(user))).toBe(NOTICE)
  })
})
