import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { DingTalkSimulator, SimulatorOptions } from '../../src/simulator/index.js'
import { connectBot, openConnection, tryUpgrade, simulatorFixture } from '../helpers/sdk-bot.js'

const T = { timeout: 20_000 }
const fixture = simulatorFixture()
const { bots } = fixture
let sim: DingTalkSimulator
const startSim = async (opts?: SimulatorOptions): Promise<DingTalkSimulator> => (sim = await fixture.start(opts))

describe('stream gateway with the real SDK', () => {
  it('delivers a robot message as a CALLBACK and records the ack', T, async () => {
    await startSim()
    const bot = await connectBot(sim)
    bots.push(bot)
    expect(sim.connectionCount).toBe(1)
    const acked = once(sim, 'ack')
    const sent = sim.sendMessage({ text: 'hello' })
    const frame = await bot.frame(1)
    const [ack] = (await acked) as [{ messageId: string; at: number }]

    expect(frame.type).toBe('CALLBACK')
    expect(frame.headers).toMatchObject({
      topic: '/v1.0/im/bot/messages/get',
      messageId: sent.messageId,
      contentType: 'application/json',
    })
    expect(frame.headers.time).toMatch(/^\d+$/)
    const payload = JSON.parse(frame.data) as Record<string, unknown>
    expect(payload).toMatchObject({
      msgId: sent.msgId,
      msgtype: 'text',
      text: { content: 'hello' },
      conversationType: '1',
      conversationId: 'cid-dm-user1',
      senderStaffId: 'user1',
      senderNick: '张三',
      robotCode: 'sim-robot',
      chatbotUserId: sim.chatbotUserId,
      sessionWebhook: sent.sessionWebhook,
    })
    expect(sent.sessionWebhook.startsWith(`${sim.baseUrl}/robot/sendBySession?session=`)).toBe(true)
    expect(payload.sessionWebhookExpiredTime).toBe((payload.createAt as number) + 90 * 60_000)
    expect(ack.messageId).toBe(sent.messageId)
    expect(sim.isAcked(sent.messageId)).toBe(true)
    expect(sim.ackedAt(sent.messageId)).toBe(ack.at)
    expect(sim.deliveries(sent.msgId)).toBe(1)
    expect(sim.stats).toMatchObject({ openCalls: 1, connectionsAccepted: 1, framesSent: 1, acksReceived: 1 })
  })

  it('queues a message while no connection is open and delivers it on connect', T, async () => {
    await startSim()
    const sent = sim.sendMessage({ text: 'early', senderStaffId: 'ops1', conversationId: 'cid-ops' })
    expect(sim.deliveries(sent.msgId)).toBe(0)
    const acked = once(sim, 'ack')
    const bot = await connectBot(sim)
    bots.push(bot)
    const payload = JSON.parse((await bot.frame(1)).data) as Record<string, unknown>
    await acked
    expect(payload).toMatchObject({
      conversationType: '2',
      conversationId: 'cid-ops',
      isInAtList: true,
      atUsers: [{ dingtalkId: sim.chatbotUserId }],
    })
    expect(sim.deliveries(sent.msgId)).toBe(1)
  })

  it('redelivers an un-acked CALLBACK with the same messageId, at most redeliveryCount times', T, async () => {
    await startSim({ redeliveryDelayMs: 200, redeliveryCount: 2 })
    const bot = await connectBot(sim, { ack: () => false })
    bots.push(bot)
    const sent = sim.sendMessage({ text: 'retry me' })
    const third = await bot.frame(3)
    expect(bot.frames.map((f) => f.headers.messageId)).toEqual([sent.messageId, sent.messageId, sent.messageId])
    expect(third.data).toBe(bot.frames[0].data)
    // Proving the absence of a fourth delivery needs some wait; it can only make the test pass wrongly, never flake.
    await new Promise((r) => setTimeout(r, 800))
    expect(sim.deliveries(sent.msgId)).toBe(3)
    expect(sim.isAcked(sent.messageId)).toBe(false)
  })

  it('stops redelivering once the redelivered frame is acked', T, async () => {
    await startSim({ redeliveryDelayMs: 200, redeliveryCount: 5 })
    const bot = await connectBot(sim, { ack: (_f, n) => n === 2 })
    bots.push(bot)
    const acked = once(sim, 'ack')
    const sent = sim.sendMessage({ text: 'ack the second' })
    await acked
    expect(sim.deliveries(sent.msgId)).toBe(2)
    expect(sim.isAcked(sent.messageId)).toBe(true)
  })

  it('answers SYSTEM ping echoes and counts them, on demand and on an interval', T, async () => {
    await startSim({ pingIntervalMs: 100 })
    const bot = await connectBot(sim)
    bots.push(bot)
    await once(sim, 'ping-answered')
    await once(sim, 'ping-answered')
    const answered = once(sim, 'ping-answered')
    sim.sendPing()
    await answered
    expect(sim.stats.pingsAnswered).toBeGreaterThanOrEqual(3)
    expect(sim.stats.acksReceived).toBe(0)
  })

  it('SDK getEndpoint fails on bad credentials', T, async () => {
    await startSim()
    await expect(connectBot(sim, { clientSecret: 'wrong' })).rejects.toThrow(/401/)
    expect(sim.connectionCount).toBe(0)
  })
})

describe('connections/open and tickets', () => {
  it('rejects bad credentials with 401 authFailed', T, async () => {
    await startSim()
    const res = await openConnection(sim, { clientSecret: 'nope' })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'authFailed', message: '鉴权失败', requestid: expect.any(String) })
  })

  it('answers XML when the client forgets Accept: application/json', T, async () => {
    await startSim()
    const res = await openConnection(sim, {}, '*/*')
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/^<\?xml.*<ticket>/)
  })

  it('hands out single-use tickets', T, async () => {
    await startSim()
    const { endpoint, ticket } = (await (await openConnection(sim)).json()) as { endpoint: string; ticket: string }
    expect(endpoint).toBe(`ws://${sim.webhookHost}/connect`)
    const url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`
    expect(await tryUpgrade(url)).toBe(101)
    expect(await tryUpgrade(url)).toBe(401)
    expect(await tryUpgrade(`${endpoint}?ticket=made-up`)).toBe(401)
    expect(await tryUpgrade(`${endpoint}`)).toBe(401)
    expect(sim.stats.connectionsAccepted).toBe(1)
  })

  it('expires tickets after ticketTtlMs', T, async () => {
    let clock = 1_000_000
    await startSim({ ticketTtlMs: 1000, now: () => clock })
    const { endpoint, ticket } = (await (await openConnection(sim)).json()) as { endpoint: string; ticket: string }
    clock += 1001
    expect(await tryUpgrade(`${endpoint}?ticket=${ticket}`)).toBe(401)
  })

  it('refuses with 503 while in refuse mode', T, async () => {
    await startSim()
    sim.setRefuseConnections(true)
    const res = await openConnection(sim)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ code: 'serviceUnavailable' })
    sim.setRefuseConnections(false)
    expect((await openConnection(sim)).status).toBe(200)
    expect(sim.stats).toMatchObject({ openCalls: 2, openRefused: 1 })
  })

  it('does not deliver robot messages to a connection that did not subscribe to them', T, async () => {
    await startSim()
    const { endpoint, ticket } = (await (
      await openConnection(sim, { subscriptions: [{ type: 'EVENT', topic: '*' }] })
    ).json()) as { endpoint: string; ticket: string }
    expect(await tryUpgrade(`${endpoint}?ticket=${ticket}`)).toBe(101)
    sim.sendMessage({ text: 'nobody hears this' })
    expect(sim.state()).toMatchObject({ queued: 1 })
  })
})
