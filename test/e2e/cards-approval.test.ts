import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { expireApprovalsJob } from '../../src/jobs/expire-approvals.js'
import type { RecordedReply } from '../../src/simulator/index.js'
import { APPROVAL_TEMPLATE, press, requestByCard, startCardRouter } from '../helpers/cards.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, OPS, type TestRouter, startTestRouter, verifyAndStop, approvalTrail } from '../helpers/router.js'

/** The next group message in the ops group that passes `match`, sent after `afterSeq`. */
function groupSays(r: TestRouter, match: (text: string) => boolean, afterSeq = 0): Promise<RecordedReply> {
  return r.sim.waitForReply(
    { conversationId: OPS, afterSeq, predicate: (m) => m.kind === 'group' && match(m.text) },
    PATIENCE,
  )
}

const lastSeq = (r: TestRouter) => r.sim.replies.at(-1)?.seq ?? 0

/** Another org's corp: a staffId from there names someone else, whatever it equals here. */
const FOREIGN_CORP = 'dingforeigncorp9'

describe('approving with a card button', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('sends the request as a card and runs it once when a second operator presses Approve', async () => {
    r = await startCardRouter()
    const card = await requestByCard(r)
    const id = card.params.approvalId!
    // Delivered with a Stream callback, @-mentioning the operator who can approve it.
    expect(card).toMatchObject({ conversationId: OPS, callback: true, atUserIds: [OP2.staffId] })
    expect(card.buttons.map((b) => b.actionId)).toEqual(['approve', 'deny'])
    expect(card.params.markdown).toContain('/enable-skill skill=ping')
    expect(card.params.markdown).toContain(`/approve ${id}`)
    expect(
      r.sim.replies.some((m) => m.text.includes(`/approve ${id}`)),
      'no markdown request besides the card',
    ).toBe(false)

    const seq = lastSeq(r)
    const update = await press(r, card, OP2.staffId)
    // The decision is made before the ack, and the ack carries the card's final state.
    expect(update).toMatchObject({ status: 'approved' })
    expect(update?.statusText).toMatch(/^Approved by bob at /)
    const result = await groupSays(r, (t) => t.includes('Approved: /enable-skill'), seq)
    expect(result.text).toContain('"ping" is on again')
    expect((await r.say('ping')).text).toBe('pong')
    expect(r.sim.cards.cards.get(card.outTrackId)?.buttons).toEqual([])
    expect(approvalTrail(r, id).map((e) => [e.outcome, e.actor])).toEqual([
      ['requested', OP1.name],
      ['approved', OP2.name],
      ['executed', OP2.name],
    ])
  })

  it("refuses the requester's own press and a non-operator's, and leaves the card open", async () => {
    r = await startCardRouter()
    const card = await requestByCard(r)
    const id = card.params.approvalId!

    let seq = lastSeq(r)
    expect(await press(r, card, OP1.staffId)).toMatchObject({ status: 'pending' })
    await groupSays(r, (t) => t.includes('a different operator must approve it'), seq)

    seq = lastSeq(r)
    expect(await press(r, card, 'stranger')).toMatchObject({ status: 'pending' })
    await groupSays(r, (t) => t === COMMAND_REFUSAL, seq)

    expect((await r.say('ping')).text).toContain('turned off')
    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    const refused = approvalTrail(r, id).filter((e) => e.outcome === 'rejected')
    expect(refused.map((e) => [e.actor, e.args.reason])).toEqual([
      [OP1.name, 'self-approval'],
      ['staff:stranger', 'not an operator'],
    ])
  })

  it("refuses an operator's staffId pressed from another org or with no corp, audited under the staffId", async () => {
    r = await startCardRouter()
    const card = await requestByCard(r)
    const id = card.params.approvalId!

    let seq = lastSeq(r)
    expect(await press(r, card, OP2.staffId, 'approve', undefined, FOREIGN_CORP)).toMatchObject({ status: 'pending' })
    await groupSays(r, (t) => t === COMMAND_REFUSAL, seq)
    // A callback without a corp cannot be placed in our org: it fails closed.
    seq = lastSeq(r)
    expect(await press(r, card, OP2.staffId, 'deny', undefined, null)).toMatchObject({ status: 'pending' })
    await groupSays(r, (t) => t === COMMAND_REFUSAL, seq)

    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    expect((await r.say('ping')).text).toContain('turned off')
    const trail = approvalTrail(r, id)
    expect(trail.filter((e) => e.outcome === 'rejected').map((e) => [e.actor, e.action, e.args.reason])).toEqual([
      [`staff:${OP2.staffId}`, 'approve', 'sender from another org'],
      [`staff:${OP2.staffId}`, 'deny', 'sender from another org'],
    ])
    // Nothing is on the record in the operator's name: nobody acted as bob.
    expect(trail.filter((e) => e.actor === OP2.name)).toEqual([])
    await r.logs.waitFor((l) => l.msg === 'refused a card press' && l.corpId === FOREIGN_CORP, PATIENCE)

    // The same staffId from our own org is the operator, and approves.
    expect(await press(r, card, OP2.staffId)).toMatchObject({ status: 'approved' })
    expect(r.app.services.approvals.get(id)?.status).toBe('approved')
  })

  it('refuses every press when dingtalk.corpId is unset (a press names no robot corp); typing still works', async () => {
    r = await startCardRouter({ configure: ({ dingtalk: { corpId: _, ...dingtalk }, ...c }) => ({ ...c, dingtalk }) })
    // Said at start, before anyone presses.
    await r.logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('approval cards are on but'), PATIENCE)
    const card = await requestByCard(r)
    const id = card.params.approvalId!
    const seq = lastSeq(r)
    expect(await press(r, card, OP2.staffId)).toMatchObject({ status: 'pending' })
    // The group is told why, and what to type instead.
    await groupSays(r, (t) => t.includes('until DINGTALK_CORP_ID is set') && t.includes(`/approve ${id}`), seq)
    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    expect(approvalTrail(r, id).filter((e) => e.outcome === 'rejected')).toMatchObject([
      {
        actor: `staff:${OP2.staffId}`,
        action: 'approve',
        args: { reason: 'our org unknown: dingtalk.corpId not set' },
      },
    ])
    await r.logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('set dingtalk.corpId'), PATIENCE)
    // A typed /approve carries the robot's corp in its own payload, so it is checked and runs.
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('Approved')
  })

  it('refuses a replayed press: the id is single-use', async () => {
    r = await startCardRouter()
    const card = await requestByCard(r)
    const id = card.params.approvalId!
    await press(r, card, OP2.staffId)
    await groupSays(r, (t) => t.includes('Approved: /enable-skill'))
    const seq = lastSeq(r)
    expect(await press(r, card, OP2.staffId)).toMatchObject({ status: 'approved' })
    await groupSays(r, (t) => t.includes('already approved'), seq)
    expect(approvalTrail(r, id).filter((e) => e.outcome === 'executed')).toHaveLength(1)
  })

  it('refuses a press after the request expired and shows the card as expired', async () => {
    let clock = Date.now()
    r = await startCardRouter({ now: () => clock })
    const card = await requestByCard(r)
    clock += 16 * 60_000
    const seq = lastSeq(r)
    expect(await press(r, card, OP2.staffId)).toMatchObject({ status: 'expired' })
    await groupSays(r, (t) => t.includes('expired') && t.includes('nothing ran'), seq)
    expect((await r.say('ping')).text).toContain('turned off')
  })

  it('refuses tampered button data: another approval id, a forged signature, an unknown button', async () => {
    r = await startCardRouter()
    const card = await requestByCard(r)
    const id = card.params.approvalId!
    r.sim.sendMessage({ text: '/enable-skill ping', senderStaffId: OP1.staffId, conversationId: OPS })
    const other = await r.sim.waitForCard(
      (c) => c.templateId === APPROVAL_TEMPLATE && c.params.approvalId !== id,
      PATIENCE,
    )
    const tampered: [string, Record<string, unknown> | undefined][] = [
      ['approve', { approvalId: other.params.approvalId }],
      ['approve', { sig: other.params.sig }],
      ['approve', { sig: '00'.repeat(32) }],
      ['approve-all', undefined],
    ]
    for (const [actionId, params] of tampered) {
      const seq = lastSeq(r)
      expect(await press(r, card, OP2.staffId, actionId, params)).toMatchObject({ status: 'pending' })
      await groupSays(r, (t) => t.includes('the router did not sign'), seq)
    }
    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    expect(r.app.services.approvals.get(other.params.approvalId!)?.status).toBe('pending')
    expect(approvalTrail(r, id).filter((e) => e.args.reason === 'tampered card data')).toHaveLength(4)
    expect(r.logs.lines.some((l) => l.includes('does not match what the router signed'))).toBe(true)
  })

  it('moves the card to its final state when the request is decided by typing, or expires', async () => {
    let clock = Date.now()
    r = await startCardRouter({ now: () => clock })
    const card = await requestByCard(r)
    const id = card.params.approvalId!
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('Approved')
    const approved = await r.sim.waitForCard(
      (c) => c.outTrackId === card.outTrackId && c.params.status === 'approved',
      PATIENCE,
    )
    expect(approved.params.statusText).toMatch(/^Approved by bob/)

    // Approved, ping is on again: turning it off first makes the next /enable-skill a real request.
    expect((await r.command('/disable-skill ping')).text).toContain('"ping" is off')
    r.sim.sendMessage({ text: '/enable-skill ping', senderStaffId: OP1.staffId, conversationId: OPS })
    const second = await r.sim.waitForCard(
      (c) => c.templateId === APPROVAL_TEMPLATE && c.params.approvalId !== id,
      PATIENCE,
    )
    expect((await r.command(`/deny ${second.params.approvalId}`, OP1)).text).toContain('Denied')
    const denied = await r.sim.waitForCard(
      (c) => c.outTrackId === second.outTrackId && c.params.status === 'denied',
      PATIENCE,
    )
    expect(denied.params.statusText).toMatch(/^Denied by alice/)

    r.sim.sendMessage({ text: '/enable-skill ping', senderStaffId: OP1.staffId, conversationId: OPS })
    const third = await r.sim.waitForCard(
      (c) => c.templateId === APPROVAL_TEMPLATE && ![id, second.params.approvalId].includes(c.params.approvalId),
      PATIENCE,
    )
    clock += 16 * 60_000
    await expireApprovalsJob(r.app.services).run(clock)
    const expired = await r.sim.waitForCard(
      (c) => c.outTrackId === third.outTrackId && c.params.status === 'expired',
      PATIENCE,
    )
    expect(expired.buttons).toEqual([])
  })
})

describe('approval requests without a card template', { timeout: 2 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('stay markdown, with a one-tap link that fills in /approve <id>', async () => {
    r = await startTestRouter()
    await r.command('/disable-skill ping')
    const request = await r.command('/enable-skill ping')
    const id = /\/approve ([a-z2-7]{10})/.exec(request.text)?.[1]
    expect(id).toBeDefined()
    expect(request.text).toContain(`(dtmd://dingtalkclient/sendMessage?content=%2Fapprove%20${id})`)
    expect(r.sim.cards.cards.size).toBe(0)
  })

  it('fall back to markdown, recorded as an error event, when DingTalk refuses the card', async () => {
    r = await startCardRouter({
      configure: (c) => ({ ...c, cards: { ...c.cards, approvalTemplateId: 'not-a-template.schema' } }),
    })
    await r.command('/disable-skill ping')
    const request = await r.command('/enable-skill ping')
    expect(request.text).toMatch(/A second operator approves with: \/approve [a-z2-7]{10}/)
    expect(r.sim.cards.cards.size).toBe(0)
    expect(r.app.services.events.list({ route: 'approval-card' })).toEqual([
      expect.objectContaining({ code: 'card-refused' }),
    ])
  })
})
