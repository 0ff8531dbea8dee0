import { pino } from 'pino'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import type { InboundMessage } from '../../src/dingtalk/message.js'
import { OpenApiClient } from '../../src/dingtalk/openapi.js'
import { ReplySender } from '../../src/dingtalk/reply.js'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { recordUndelivered } from '../../src/undelivered-replies.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, OPS, type TestRouter, startTestRouter, verifyAndStop } from '../helpers/router.js'

const OP3 = { staffId: 'op3', name: 'carol' }
const THREE_OPERATORS = {
  ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name},${OP3.staffId}:${OP3.name}`,
}

describe('mentions and the truth about proactive sends', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('@-mentions the sender of a group message, with at.atUserIds and the @staffId text; not in one-to-one chats', async () => {
    r = await startTestRouter()
    const group = await r.say({ text: 'ping', conversationId: 'cid-team', senderStaffId: 'user2' })
    expect(group.atUserIds).toEqual(['user2'])
    expect(group.text).toBe('pong\n@user2')
    const dm = await r.say('ping')
    expect(dm.atUserIds).toBeUndefined()
    expect(dm.text).toBe('pong')
    // An external user has no staffId to mention: the reply still arrives.
    const external = await r.say({ text: '/status', conversationId: 'cid-team', senderStaffId: null })
    expect(external.atUserIds).toBeUndefined()
  })

  it('mentions the other operators on an approval request, and the requester on the decision', async () => {
    r = await startTestRouter({ env: THREE_OPERATORS })
    expect((await r.command('/disable-skill ping "noisy"')).text).toContain('"ping" is off')
    const request = await r.command('/enable-skill ping')
    expect(request.text).toContain('Approval needed')
    expect(request.atUserIds?.sort()).toEqual([OP1.staffId, OP2.staffId, OP3.staffId])
    // Markdown mentions only notify when the text carries @staffId too.
    for (const op of [OP2, OP3]) expect(request.text).toContain(`@${op.staffId}`)
    const id = /\/approve ([a-z2-7]{10})/.exec(request.text)?.[1]
    const decision = await r.command(`/approve ${id}`, OP2)
    expect(decision.text).toContain('Approved')
    expect(decision.atUserIds?.sort()).toEqual([OP1.staffId, OP2.staffId])
    expect(decision.text).toContain(`@${OP1.staffId}`)
  })

  it('does not take a 200 for delivery: flow-controlled recipients are retried, invalid ones are an error event', async () => {
    r = await startTestRouter()
    // A simulator no router listens to: the messages below only open sessions, nobody else answers them.
    const sim = new DingTalkSimulator()
    await sim.start()
    onTestFinished(() => sim.stop())
    const events = r.app.services.events
    const openapi = new OpenApiClient({
      apiBase: sim.apiBase,
      appKey: sim.clientId,
      appSecret: sim.clientSecret,
      robotCode: sim.robotCode,
      log: pino({ level: 'silent' }),
    })
    const replies = new ReplySender({
      webhookHosts: [sim.webhookHost],
      openapi,
      log: pino({ level: 'silent' }),
      flowControlRetryMs: [1, 1],
      onUndelivered: recordUndelivered(events, Date.now),
    })
    // Messages whose session webhook has expired: the reply goes out as a one-to-one proactive send.
    const expired = (staffId: string): InboundMessage => {
      const sent = sim.sendMessage({ text: 'x', senderStaffId: staffId })
      sim.expireSession(sent.msgId)
      return {
        msgId: sent.msgId,
        conversationId: 'cid-dm-' + staffId,
        conversationType: 'one-to-one',
        senderStaffId: staffId,
        senderId: 'x',
        senderNick: staffId,
        isInAtList: false,
        atUsers: [],
        msgtype: 'text',
        text: 'x',
        attachments: [],
        supported: true,
        sessionWebhook: sent.sessionWebhook,
        sessionWebhookExpiresAt: Date.now(),
        createdAt: Date.now(),
      }
    }
    sim.flowControlNext('user2', 2)
    expect(await replies.send(expired('user2'), 'after two flow-controlled attempts')).toBe('sent-proactively')
    expect(sim.replies.filter((x) => x.kind === 'oto' && x.userIds?.includes('user2'))).toHaveLength(1)

    sim.flowControlNext('user3', 5)
    expect(await replies.send(expired('user3'), 'never gets through')).toBe('failed')
    expect(events.list({ route: 'reply' }).find((e) => e.code === 'flow-controlled')?.message).toMatch(
      /flow-controlled the reply after 3 attempts \(processQueryKey \S+\)/,
    )

    sim.setInvalidStaffIds(['user4'])
    expect(await replies.send(expired('user4'), 'to nobody')).toBe('failed')
    const invalid = events.list({ route: 'reply' }).find((e) => e.code === 'recipient-invalid')
    expect(invalid?.message).toMatch(/^DingTalk refused staffId user4 as invalid \(processQueryKey \S+\)$/)
    expect(sim.replies.some((x) => x.userIds?.includes('user4') || x.userIds?.includes('user3'))).toBe(false)
  })

  it('reuses one access token, and drops and refetches it on 400 InvalidAuthentication', async () => {
    r = await startTestRouter()
    const { sim } = r
    const openapi = new OpenApiClient({
      apiBase: sim.apiBase,
      appKey: sim.clientId,
      appSecret: sim.clientSecret,
      robotCode: sim.robotCode,
      log: pino({ level: 'silent' }),
    })
    await openapi.sendToGroup(OPS, 'one')
    await openapi.sendToGroup(OPS, 'two')
    expect(openapi.tokens.fetched).toBe(1)
    const issued = sim.stats.tokensIssued
    sim.revokeTokens()
    const sent = await openapi.sendToGroup(OPS, 'three')
    expect(sent.processQueryKey).toEqual(expect.any(String))
    expect(openapi.tokens.fetched).toBe(2)
    expect(sim.stats.tokensIssued).toBe(issued + 1)
    expect(sim.stats.tokensRejected).toBeGreaterThanOrEqual(1)
    expect(sim.replies.filter((x) => x.kind === 'group').map((x) => x.text)).toEqual(['one', 'two', 'three'])
  })
})
