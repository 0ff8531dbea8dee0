import Database from 'better-sqlite3'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { RecordedReply } from '../../src/simulator/index.js'
import { expireApprovalsJob } from '../../src/jobs/expire-approvals.js'
import { PATIENCE } from '../helpers/patience.js'
import {
  OP1,
  OP2,
  OP3,
  OPS,
  THREE_OPERATORS,
  type TestRouter,
  withoutMentions,
  startTestRouter,
  verifyAndStop,
  approvalTrail,
} from '../helpers/router.js'

/** Turns ping off as alice, then asks to turn it on again; returns the approval id from the reply. */
async function disableThenRequest(r: TestRouter): Promise<string> {
  expect((await r.command('/disable-skill ping "noisy at night"')).text).toContain('"ping" is off')
  expect((await r.say('ping')).text).toContain('turned off')
  const request = await r.command('/enable-skill ping')
  expect(request.text).toContain('Approval needed')
  const id = /\/approve ([a-z2-7]{10})/.exec(request.text)?.[1]
  expect(id, request.text).toBeDefined()
  return id!
}

function executedCount(r: TestRouter, id: string): number {
  return approvalTrail(r, id).filter((e) => e.outcome === 'executed').length
}

/** Sends two messages at once and waits for both answers. */
async function sendTogether(
  r: TestRouter,
  a: { text: string; senderStaffId: string },
  b: { text: string; senderStaffId: string },
): Promise<RecordedReply[]> {
  const sent = [r.sim.sendMessage({ ...a, conversationId: OPS }), r.sim.sendMessage({ ...b, conversationId: OPS })]
  return Promise.all(sent.map((s) => r.sim.waitForReply({ msgId: s.msgId }, PATIENCE)))
}

describe('two-operator approvals', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('refuses self-approval and audits the attempt as rejected', async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    const self = await r.command(`/approve ${id}`)
    expect(self.text).toContain('a different operator must approve it')
    expect((await r.say('ping')).text).toContain('turned off')
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'rejected'])
    expect(approvalTrail(r, id)[1]).toMatchObject({
      actor: OP1.name,
      action: 'approve',
      args: { id, reason: 'self-approval' },
    })
  })

  it("runs the command exactly once on a second operator's approval", async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.text).toContain('Approved')
    expect(approved.text).toContain('"ping" is on again')
    expect((await r.say('ping')).text).toBe('pong')
    const entries = approvalTrail(r, id)
    expect(entries.map((e) => e.outcome)).toEqual(['requested', 'approved', 'executed'])
    expect(entries.map((e) => e.action)).toEqual(['enable-skill', 'enable-skill', 'enable-skill'])
    // Requested by alice; approved and executed by bob, who made it happen; the requester is named in detail.
    expect(entries.map((e) => e.actor)).toEqual([OP1.name, OP2.name, OP2.name])
    expect(entries[1]!.detail).toContain(`requested by ${OP1.name}`)
    expect(entries[2]!.args).toMatchObject({ skill: 'ping', stateVersion: 2 })
    await r.sim.waitForReply(
      {
        conversationId: OPS,
        predicate: (m) => m.kind === 'group' && m.text.includes('turned ON by bob (requested by alice)'),
      },
      PATIENCE,
    )
  })

  it('approving the same id twice executes once', async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('Approved')
    const again = await r.command(`/approve ${id}`, OP2)
    expect(again.text).toContain(`was already approved by ${OP2.name}`)
    expect(executedCount(r, id)).toBe(1)
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'approved', 'executed', 'rejected'])
  })

  it('executes once when two operators approve at the same moment', async () => {
    r = await startTestRouter({ env: { ROUTER_OPERATORS: THREE_OPERATORS } })
    const id = await disableThenRequest(r)
    const replies = await sendTogether(
      r,
      { text: `/approve ${id}`, senderStaffId: OP2.staffId },
      { text: `/approve ${id}`, senderStaffId: OP3.staffId },
    )
    expect(replies.filter((m) => m.text.includes('### Approved'))).toHaveLength(1)
    expect(replies.filter((m) => m.text.includes('was already approved'))).toHaveLength(1)
    expect(executedCount(r, id)).toBe(1)
    expect(approvalTrail(r, id).filter((e) => e.outcome === 'approved')).toHaveLength(1)
  })

  it('executes once when the same approver sends two approvals at once', async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    const approve = { text: `/approve ${id}`, senderStaffId: OP2.staffId }
    const replies = await sendTogether(r, approve, approve)
    expect(replies.filter((m) => m.text.includes('### Approved'))).toHaveLength(1)
    expect(executedCount(r, id)).toBe(1)
    expect((await r.say('ping')).text).toBe('pong')
  })

  it('refuses an expired request, before and after the expiry job ran', async () => {
    let clock = Date.now()
    r = await startTestRouter({ now: () => clock })
    const id = await disableThenRequest(r)
    clock += 16 * 60_000
    const late = await r.command(`/approve ${id}`, OP2)
    expect(late.text).toContain(`Request ${id}`)
    expect(late.text).toContain('expired')
    expect(withoutMentions(await r.command('/pending', OP2))).toBe('No approval requests are open.')
    await expireApprovalsJob(r.app.services).run(clock)
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('expired')
    expect((await r.say('ping')).text).toContain('turned off')
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'rejected', 'expired', 'rejected'])
    expect(executedCount(r, id)).toBe(0)
  })

  it.each([
    ['args', `UPDATE approvals SET args = '{"skill":"help"}' WHERE id = ?`],
    ['command', `UPDATE approvals SET command = 'disable-skill' WHERE id = ?`],
  ])('refuses a request whose stored %s changed in the database, and runs nothing', async (_what, sql) => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    const other = new Database(r.dbPath)
    try {
      other.pragma('busy_timeout = 5000')
      expect(other.prepare(sql).run(id).changes).toBe(1)
    } finally {
      other.close()
    }
    expect((await r.command('/pending', OP2)).text).toContain('TAMPERED')
    const refused = await r.command(`/approve ${id}`, OP2)
    expect(refused.text).toContain('does not match what was signed')
    expect((await r.say('ping')).text).toContain('turned off')
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'rejected'])
    expect(approvalTrail(r, id)[1]!.args).toMatchObject({ reason: 'tampered' })
  })

  it('lets any operator deny, after which the id cannot be approved', async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    expect((await r.command(`/deny ${id}`, OP2)).text).toContain(`Denied ${id}`)
    expect((await r.command(`/approve ${id}`, OP2)).text).toContain('was already denied by bob')
    expect((await r.command('/deny nosuchid00', OP2)).text).toContain('No approval request "nosuchid00"')
    expect(executedCount(r, id)).toBe(0)
    expect(approvalTrail(r, id).map((e) => e.outcome)).toEqual(['requested', 'denied', 'rejected'])
  })

  it('ignores an /approve from someone who is not an operator', async () => {
    r = await startTestRouter()
    const id = await disableThenRequest(r)
    const reply = await r.say({
      text: `/approve ${id}`,
      senderStaffId: 'mallory',
      senderNick: OP2.name,
      isAdmin: true,
      conversationId: OPS,
    })
    expect(withoutMentions(reply)).toBe(COMMAND_REFUSAL)
    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    expect(executedCount(r, id)).toBe(0)
  })

  it('announces an approval given in another admin conversation', async () => {
    r = await startTestRouter({ env: { ROUTER_ADMIN_CONVERSATIONS: `${OPS},cid-ops-2` } })
    const id = await disableThenRequest(r)
    const approved = await r.say({ text: `/approve ${id}`, senderStaffId: OP2.staffId, conversationId: 'cid-ops-2' })
    expect(approved.text).toContain('"ping" is on again')
    await r.sim.waitForReply(
      {
        conversationId: OPS,
        predicate: (m) => m.kind === 'group' && m.text.includes('approved by bob in another admin conversation'),
      },
      PATIENCE,
    )
    expect(executedCount(r, id)).toBe(1)
  })
})
