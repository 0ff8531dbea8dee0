import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { ROBOT_TOPIC } from '../../src/dingtalk/frames.js'
import type { SimMessageInput } from '../../src/simulator/index.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, OPS, type TestRouter, withoutMentions } from '../helpers/router.js'
import { controlState, SecurityHarness } from '../helpers/security.js'

// Only `senderStaffId` in ROUTER_OPERATORS, in an admin conversation, makes a sender an operator. Every
// field an attacker controls otherwise (isAdmin, nicknames, senderId, look-alike staff ids, extra fields,
// prototype keys) must grant nothing: the command is refused, audited as rejected under the real sender,
// and changes nothing. (admin-policy covers isAdmin + an operator's nick, and operators outside the group.)

const h = new SecurityHarness()
afterEach(() => h.finish(), PATIENCE)

/** The command each spoof tries: narrowing, instant for a real operator, so a successful spoof would show. */
const ATTEMPT = '/disable-skill help'

async function expectRefused(r: TestRouter, input: SimMessageInput, actor: RegExp): Promise<void> {
  const before = controlState(r)
  const seqBefore = r.app.services.audit.recent(1)[0]?.seq ?? 0
  const reply = await r.say({ text: ATTEMPT, conversationId: OPS, ...input }, PATIENCE)
  expect(withoutMentions(reply), JSON.stringify(input)).toBe(COMMAND_REFUSAL)
  // Non-operators' refusals are counted per minute; write them now, as /audit does.
  r.app.services.refusals.flush(r.app.services.now(), { all: true })
  const entries = r.app.services.audit.recent(10).filter((e) => e.seq > seqBefore)
  expect(entries, JSON.stringify(input)).toHaveLength(1)
  expect(entries[0]).toMatchObject({
    channel: 'dingtalk',
    action: 'disable-skill',
    outcome: 'rejected',
    args: { reason: expect.any(String) },
  })
  expect(entries[0]!.actor).toMatch(actor)
  expect(entries[0]!.actor).not.toBe(OP1.name)
  expect(controlState(r)).toEqual(before)
}

describe('security: spoofed operator fields grant nothing', { timeout: 5 * PATIENCE }, () => {
  it('refuses look-alike identities and audits them under the real sender', async () => {
    const r = await h.router()
    // senderId (the LWCP id) equal to an operator's staffId, with another person's senderStaffId.
    await expectRefused(r, { senderStaffId: 'mallory', senderId: OP1.staffId }, /^staff:mallory$/)
    // The same with no senderStaffId at all (an external user), plus isAdmin and the operator's nick.
    await expectRefused(
      r,
      { senderStaffId: null, senderId: OP1.staffId, senderNick: OP1.name, isAdmin: true },
      /^sender:op1$/,
    )
    // Staff ids that only look like an operator's.
    for (const staffId of [
      'OP1',
      'op1 ',
      ' op1',
      'op1\u200b',
      'ｏｐ1',
      'op1\u0000',
      `${OP1.staffId},${OP2.staffId}`,
      `${OP1.staffId}:${OP1.name}`,
      OP1.name,
    ]) {
      await expectRefused(r, { senderStaffId: staffId }, /^staff:/)
    }
    // Fields the router does not read for identity, set to an operator's values.
    await expectRefused(
      r,
      {
        senderStaffId: 'mallory',
        extra: {
          staffId: OP1.staffId,
          userId: OP1.staffId,
          senderUserId: OP1.staffId,
          operator: true,
          isAdmin: 'true',
          senderCorpId: 'x',
          role: 'admin',
          operators: [OP1.staffId],
        },
      },
      /^staff:mallory$/,
    )
    // A real operator's staff id in a conversation that only looks like the admin group: refused too.
    for (const conversationId of ['CID-OPS', `${OPS} `, `${OPS}\u200b`, `${OPS},cid-other`]) {
      await expectRefused(r, { senderStaffId: OP1.staffId, conversationId }, /^staff:op1$/)
    }
    // Nothing of the above turned `help` off.
    expect((await r.say('help', PATIENCE)).title).toBe('What I can do')
  })

  it('takes no identity from prototype keys in the raw payload', async () => {
    const r = await h.router()
    const before = controlState(r)
    // Raw frames, so the JSON really carries `__proto__` / `constructor` keys (a JS object literal would not).
    // The session webhook is one the simulator never issued: the refusal comes back as a proactive group send.
    const frames = [
      `"__proto__":{"senderStaffId":"${OP1.staffId}","isAdmin":true}`,
      `"constructor":{"prototype":{"senderStaffId":"${OP1.staffId}"}}`,
      `"senderStaffId":{"toString":"${OP1.staffId}"}`,
    ].map((injected, i) => {
      const msgId = `proto-spoof-${i}`
      const payload =
        `{${injected},"msgId":"${msgId}","conversationId":"${OPS}","conversationType":"2","conversationTitle":"ops",` +
        `"senderId":"$:LWCP_v1:$mallory${i}","senderNick":"${OP1.name}","msgtype":"text","text":{"content":"${ATTEMPT}"},` +
        `"sessionWebhook":"${r.sim.baseUrl}/robot/sendBySession?session=never-issued-${i}","createAt":${Date.now()}}`
      return {
        msgId,
        messageId: `proto-frame-${i}`,
        frame: JSON.stringify({
          specVersion: '1.0',
          type: 'CALLBACK',
          headers: { topic: ROBOT_TOPIC, messageId: `proto-frame-${i}`, contentType: 'application/json' },
          data: payload,
        }),
      }
    })
    for (const { frame } of frames) r.sim.sendRaw(frame)
    const outcomes = await Promise.all(
      frames.map(({ msgId, messageId }) =>
        r.logs.waitFor(
          (l) =>
            (l.msgId === msgId && l.msg === 'refused an admin command') ||
            (l.messageId === messageId && l.msg === 'dropped a robot callback with an invalid payload'),
          PATIENCE,
        ),
      ),
    )
    const refusedIds = outcomes.filter((l) => l.msg === 'refused an admin command').map((l) => l.msgId)
    // The first two parse (the keys are data, not prototypes) and are refused; the third is not a valid payload.
    expect(refusedIds).toEqual(['proto-spoof-0', 'proto-spoof-1'])
    expect(outcomes[2]!.msg).toBe('dropped a robot callback with an invalid payload')
    r.app.services.refusals.flush(r.app.services.now(), { all: true })
    const rejected = r.app.services.audit.recent(10).filter((e) => e.outcome === 'rejected')
    expect(rejected.map((e) => e.actor).sort()).toEqual(['sender:$:LWCP_v1:$mallory0', 'sender:$:LWCP_v1:$mallory1'])
    await r.sim.waitForReply(
      { conversationId: OPS, predicate: (x) => x.kind === 'group' && x.text === COMMAND_REFUSAL },
      PATIENCE,
    )
    expect(controlState(r)).toEqual(before)
    expect(({} as Record<string, unknown>).senderStaffId).toBeUndefined()
  })
})
