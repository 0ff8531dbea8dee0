import { describe, expect, it } from 'vitest'
import type { DingTalkSimulator, SimulatorOptions } from '../../src/simulator/index.js'
import { connectBot, postJson, simulatorFixture } from '../helpers/sdk-bot.js'

const T = { timeout: 20_000 }
const fixture = simulatorFixture()
const { bots } = fixture
let sim: DingTalkSimulator
const startSim = async (opts?: SimulatorOptions): Promise<DingTalkSimulator> => (sim = await fixture.start(opts))

const text = (content: string): Record<string, unknown> => ({ msgtype: 'text', text: { content } })

describe('session webhook', () => {
  it('records a reply from an SDK bot and waitForReply resolves', T, async () => {
    await startSim()
    const bot = await connectBot(sim, {
      onMessage: (_f, p) => {
        void postJson(p.sessionWebhook as string, text(`echo: ${(p.text as { content: string }).content}`))
      },
    })
    bots.push(bot)
    const sent = sim.sendMessage({ text: 'ping', conversationId: 'cid-team', senderStaffId: 'user2' })
    const reply = await sim.waitForReply({ msgId: sent.msgId })
    expect(reply).toMatchObject({
      kind: 'webhook',
      msgId: sent.msgId,
      conversationId: 'cid-team',
      msgtype: 'text',
      // In a group DingTalk leaves the space that followed the removed "@BotName".
      text: 'echo:  ping',
    })
    expect(reply.seq).toBe(1)
    expect(sim.replies).toHaveLength(1)
    // Already-recorded replies count.
    expect(await sim.waitForReply({ conversationId: 'cid-team' }, 1)).toBe(reply)
  })

  it('accepts markdown and answers errcode 0', T, async () => {
    await startSim()
    const sent = sim.sendMessage({ text: 'md' })
    const replied = sim.waitForReply({ msgId: sent.msgId, predicate: (r) => r.msgtype === 'markdown' })
    const res = await postJson(sent.sessionWebhook, {
      msgtype: 'markdown',
      markdown: { title: 'Status', text: '**ok**' },
      at: { atUserIds: ['user1'] },
    })
    expect(res).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } })
    expect(await replied).toMatchObject({ title: 'Status', text: '**ok**', body: { at: { atUserIds: ['user1'] } } })
  })

  it('waitForReply rejects with a clear error on timeout', T, async () => {
    await startSim()
    await expect(sim.waitForReply({ msgId: 'nope' }, 30)).rejects.toThrow(
      /no reply matching \{"msgId":"nope"\} within 30 ms/,
    )
  })

  it('answers 300001 for expired, expireSession-ed and unknown sessions', T, async () => {
    let clock = 5_000_000
    await startSim({ now: () => clock, sessionTtlMs: 1000 })
    const a = sim.sendMessage({ text: 'a' })
    const b = sim.sendMessage({ text: 'b' })
    expect((await postJson(a.sessionWebhook, text('ok'))).json.errcode).toBe(0)
    sim.expireSession(a.msgId)
    expect((await postJson(a.sessionWebhook, text('late'))).json).toEqual({ errcode: 300001, errmsg: 'session 不存在' })
    clock += 1001
    const expired = await postJson(b.sessionWebhook, text('late'))
    expect(expired).toEqual({ status: 200, json: { errcode: 300001, errmsg: 'session 不存在' } })
    expect((await postJson(`${sim.baseUrl}/robot/sendBySession?session=nope`, text('x'))).json.errcode).toBe(300001)
    expect(sim.replies).toHaveLength(1)
  })

  it('rejects over-long, malformed and unsupported bodies without crashing', T, async () => {
    await startSim()
    const sent = sim.sendMessage({ text: 'x' })
    const long = await postJson(sent.sessionWebhook, text('字'.repeat(7000)))
    expect(long.json.errcode).toBe(460101)
    expect((await postJson(sent.sessionWebhook, '{not json')).json.errcode).toBe(40035)
    expect((await postJson(sent.sessionWebhook, { msgtype: 'text', text: {} })).json.errcode).toBe(40035)
    expect((await postJson(sent.sessionWebhook, { msgtype: 'voodoo', voodoo: {} })).json.errcode).toBe(40035)
    expect((await postJson(sent.sessionWebhook, [1, 2])).json.errcode).toBe(40035)
    expect((await postJson(sent.sessionWebhook, text('still fine'))).json.errcode).toBe(0)
    expect(sim.replies.map((r) => r.text)).toEqual(['still fine'])
  })
})

describe('robot payload', () => {
  it('omits senderStaffId for external users and merges extra last', T, async () => {
    await startSim()
    const ext = sim.sendMessage({ text: 'hi', senderStaffId: null })
    expect('senderStaffId' in ext.payload).toBe(false)
    expect(ext.payload.conversationType).toBe('1')
    const own = sim.sendMessage({ text: 'me', extra: { senderId: sim.chatbotUserId, isAdmin: 'yes' } })
    expect(own.payload).toMatchObject({ senderId: sim.chatbotUserId, isAdmin: 'yes' })
    const audio = sim.sendMessage({ msgtype: 'audio', text: 'spoken words' })
    expect(audio.payload).toMatchObject({ msgtype: 'audio', content: { recognition: 'spoken words' } })
    expect('text' in audio.payload).toBe(false)
    const pinned = sim.sendMessage({
      text: 't',
      msgId: 'msgFixed',
      createAt: 42,
      senderStaffId: 'zz',
      conversationType: '2',
      conversationId: 'cid-dm-zz',
    })
    expect(pinned.payload).toMatchObject({
      msgId: 'msgFixed',
      createAt: 42,
      senderNick: 'zz',
      senderId: '$:LWCP_v1:$' + Buffer.from('zz').toString('base64'),
      conversationType: '2',
    })
  })
})
