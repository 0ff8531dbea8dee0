import { afterEach, describe, expect, it } from 'vitest'
import { metricValue } from '../helpers/metrics.js'
import { startTestRouter, type TestRouter, withoutMentions } from '../helpers/router.js'
import { waitUntil } from '../helpers/waits.js'
import { PATIENCE } from '../helpers/patience.js'

const NOTICE = 'You are sending messages faster than I can take them. Please wait a minute and try again.'

describe('message limits', () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await r?.stop()
    r = undefined
  })

  it('rate limit per user: one polite notice, then silence, counted in a metric', async () => {
    r = await startTestRouter({ configure: (c) => ({ ...c, limits: { ...c.limits, perUserPerMinute: 3 } }) })
    const { sim } = r
    for (let i = 0; i < 3; i++)
      expect((await r.say({ text: 'ping', senderStaffId: 'user1' }, PATIENCE)).text).toBe('pong')
    expect((await r.say({ text: 'ping', senderStaffId: 'user1' }, PATIENCE)).text).toBe(NOTICE)

    const dropped = sim.sendMessage({ text: 'ping', senderStaffId: 'user1' })
    // Barrier: another user's message sent after the dropped one is answered, and the drop is counted.
    expect((await r.say({ text: 'ping', senderStaffId: 'user2' }, PATIENCE)).text).toBe('pong')
    await waitUntil(
      async () => (await metricValue(r!.httpUrl, 'router_rate_limited_total', { scope: 'user' })) === 2,
      PATIENCE,
      'two rate-limited messages counted',
    )
    await waitUntil(() => sim.isAcked(dropped.messageId), PATIENCE, 'the dropped message is acked')
    expect(sim.replies.filter((x) => x.msgId === dropped.msgId)).toEqual([])
    expect(await metricValue(r.httpUrl, 'router_messages_total', { route: 'unrouted', outcome: 'rate-limited' })).toBe(
      2,
    )
  })

  it('rate limit per conversation applies across users in one group', async () => {
    r = await startTestRouter({ configure: (c) => ({ ...c, limits: { ...c.limits, perConversationPerMinute: 2 } }) })
    const group = { conversationId: 'cid-team', conversationType: '2' as const }
    expect(withoutMentions(await r.say({ ...group, text: 'ping', senderStaffId: 'user1' }, PATIENCE))).toBe('pong')
    expect(withoutMentions(await r.say({ ...group, text: 'ping', senderStaffId: 'user2' }, PATIENCE))).toBe('pong')
    expect(withoutMentions(await r.say({ ...group, text: 'ping', senderStaffId: 'user3' }, PATIENCE))).toBe(NOTICE)
    // Elsewhere the same users are still answered.
    expect((await r.say({ text: 'ping', senderStaffId: 'user3' }, PATIENCE)).text).toBe('pong')
    expect(await metricValue(r.httpUrl, 'router_rate_limited_total', { scope: 'conversation' })).toBe(1)
  })

  it('an oversized message gets a clear reply and runs nothing', async () => {
    r = await startTestRouter()
    const reply = await r.say('ping ' + '长'.repeat(2000), PATIENCE)
    // Written in Chinese, so answered in Chinese; characters are counted, not bytes.
    expect(reply.text).toBe('这条消息有 2005 个字符，我最多接受 2000 个，请发送更短的请求。')
    expect(await metricValue(r.httpUrl, 'router_messages_total', { outcome: 'too-long' })).toBe(1)
    const english = await r.say(`ping ${'x'.repeat(2000)}`, PATIENCE)
    expect(english.text).toBe('That message is 2005 characters; I take at most 2000. Please send a shorter request.')
  })

  it('a file or a message type the router cannot read gets a clear reply', async () => {
    r = await startTestRouter()
    expect((await r.say({ msgtype: 'picture' }, PATIENCE)).text).toBe(
      "I can't use files here (you sent a picture). Please send your request as text.",
    )
    expect((await r.say({ msgtype: 'file' }, PATIENCE)).text).toMatch(/^I can't use files here \(you sent a file\)/)
    expect((await r.say({ msgtype: 'markdown', content: { text: 'x' } }, PATIENCE)).text).toMatch(
      /^I cannot read "markdown" messages/,
    )
  })
})
