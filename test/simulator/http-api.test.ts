import { afterEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator, type RecordedReply } from '../../src/simulator/index.js'
import { connectBot, postJson, type Bot } from '../helpers/sdk-bot.js'

const T = { timeout: 30_000 }
let sim: DingTalkSimulator
const bots: Bot[] = []

afterEach(async () => {
  for (const b of bots.splice(0)) b.client.disconnect()
  await sim?.stop()
})

async function replies(msgId: string, timeoutMs: number): Promise<RecordedReply[]> {
  const res = await fetch(`${sim.baseUrl}/sim/replies?msgId=${encodeURIComponent(msgId)}&timeoutMs=${timeoutMs}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { replies: RecordedReply[] }).replies
}

describe('/sim control API', () => {
  it('POST /sim/messages delivers, GET /sim/replies returns every part of the answer', T, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    const bot = await connectBot(sim, {
      onMessage: (_f, p) => {
        // Two parts, the second only after the first is in: the settle window must catch both.
        void postJson(p.sessionWebhook as string, { msgtype: 'text', text: { content: 'part 1' } }).then(() =>
          postJson(p.sessionWebhook as string, { msgtype: 'markdown', markdown: { title: 't', text: 'part 2' } }),
        )
      },
    })
    bots.push(bot)
    const sent = await postJson(`${sim.baseUrl}/sim/messages`, {
      text: '/status',
      senderStaffId: 'ops1',
      conversationId: 'cid-ops',
    })
    expect(sent.status).toBe(200)
    expect(sent.json).toMatchObject({ msgId: expect.any(String), messageId: expect.any(String) })
    const got = await replies(sent.json.msgId as string, 20_000)
    expect(got.map((r) => r.text)).toEqual(['part 1', 'part 2'])
    expect(sim.isAcked(sent.json.messageId as string)).toBe(true)
  })

  it('counts a later proactive send to the same group as a reply', T, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    const early = sim.sendMessage({ text: 'x', conversationId: 'cid-ops' }) // queued: no bot connected
    const { json } = await postJson(`${sim.apiBase}/v1.0/oauth2/accessToken`, {
      appKey: sim.clientId,
      appSecret: sim.clientSecret,
    })
    const pending = replies(early.msgId, 20_000)
    await postJson(
      `${sim.apiBase}/v1.0/robot/groupMessages/send`,
      {
        robotCode: sim.robotCode,
        openConversationId: 'cid-ops',
        msgKey: 'sampleText',
        msgParam: '{"content":"fallback"}',
      },
      { 'x-acs-dingtalk-access-token': json.accessToken as string },
    )
    expect((await pending).map((r) => [r.kind, r.text])).toEqual([['group', 'fallback']])
  })

  it('returns an empty list when nothing answers in time', T, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    const sent = sim.sendMessage({ text: 'silence' })
    expect(await replies(sent.msgId, 100)).toEqual([])
  })

  it('rejects bad input with a clear 400 and unknown ids with 404', T, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    for (const body of [{}, { text: 1 }, { text: 'x', conversationType: '3' }, { text: 'x', bogus: true }, '{nope']) {
      const res = await postJson(`${sim.baseUrl}/sim/messages`, body)
      expect(res.status).toBe(400)
      expect(res.json.error).toEqual(expect.any(String))
    }
    expect((await fetch(`${sim.baseUrl}/sim/replies`)).status).toBe(400)
    expect((await fetch(`${sim.baseUrl}/sim/replies?msgId=unknown`)).status).toBe(404)
    expect((await fetch(`${sim.baseUrl}/nowhere`)).status).toBe(404)
  })

  it('GET /sim/state reports connections and stats', T, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    bots.push(await connectBot(sim))
    const state = (await (await fetch(`${sim.baseUrl}/sim/state`)).json()) as Record<string, unknown>
    expect(state).toMatchObject({ connections: 1, queued: 0, stats: { openCalls: 1, connectionsAccepted: 1 } })
  })
})
