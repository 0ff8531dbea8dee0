import { createHash } from 'node:crypto'
import { NO_MATCH_REPLY } from '../helpers/english-texts.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSkills } from '../../skills/index.js'
import { loadConfig } from '../../src/config.js'
import { textsFor } from '../../src/i18n/catalogue.js'
import { PATIENCE } from '../helpers/patience.js'
import { type TestRouter, startTestRouter } from '../helpers/router.js'
import { keepFile } from '../helpers/test-skills.js'
import { loadFixtures } from '../helpers/dingtalk-fixtures.js'

const FILES = /^I can't use files here/
const ZH_NO_MATCH = textsFor('zh-CN').router.noMatch
const USER_REFUSAL = 'Sorry, you are not allowed to use this bot. Ask your on-call team for access.'

describe('DingTalk-native inbound messages through the real SDK and pipeline', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter
  beforeAll(async () => {
    r = await startTestRouter({ skills: [...createSkills(loadConfig({}, undefined)), keepFile] })
  }, PATIENCE)
  afterAll(() => r?.stop(), PATIENCE)

  const reply = async (payload: Record<string, unknown>) => {
    const sent = r.sim.sendPayload(payload)
    return r.sim.waitForReply({ msgId: sent.msgId }, PATIENCE)
  }

  it('answers every published DingTalk payload, driven verbatim (only the sessionWebhook is the simulator)', async () => {
    const expected: Record<string, RegExp | string> = {
      '01-text-1on1.json': NO_MATCH_REPLY,
      '02-picture-1on1.json': /^I can't use files here \(you sent a picture\)/,
      '03-video-1on1.json': /^I can't use files here \(you sent a video\)/,
      // Written (or spoken) in Chinese: answered in Chinese.
      '04-audio-1on1-recognition.json': ZH_NO_MATCH,
      '05-file-1on1.json': /^I can't use files here \(you sent a file\)/,
      // Read as text (and its picture as an attachment): no skill matches that text.
      '06-richtext-1on1-text-picture.json': ZH_NO_MATCH,
      '07-unknownmsgtype-1on1.json': /^I cannot read that kind of message \(DingTalk does not pass it on to robots\)/,
      '08-text-group-at-bot-stream.json': new RegExp(`^${ZH_NO_MATCH}`),
    }
    const fixtures = loadFixtures()
    expect(fixtures.map((f) => f.file).sort()).toEqual(Object.keys(expected).sort())
    for (const f of fixtures) {
      const got = await reply(f.payload)
      const want = expected[f.file]!
      if (typeof want === 'string') expect(got.text, f.file).toBe(want)
      else expect(got.text, f.file).toMatch(want)
    }
    // Nothing of it was treated as broken.
    expect(r.app.services.events.list({ route: 'inbound' })).toEqual([])
  })

  it('routes richText like text, one-to-one and in a group (where the first segment carries @BotName)', async () => {
    const dm = await r.say({ msgtype: 'richText', segments: [{ text: 'pi' }, { text: 'ng' }] }, PATIENCE)
    expect(dm.text).toBe('pong')
    const sent = r.sim.sendMessage({ msgtype: 'richText', conversationId: 'cid-team', text: 'ping' })
    const first = (sent.payload.content as { richText: { text?: string }[] }).richText[0]
    expect(first?.text).toMatch(/^@\S+ ping$/)
    const group = await r.sim.waitForReply({ msgId: sent.msgId }, PATIENCE)
    expect(group.text).toMatch(/^pong/)
    // The group text message arrives with the leading space DingTalk leaves; it is routed all the same.
    const spaced = r.sim.sendMessage({ text: 'ping', conversationId: 'cid-team' })
    expect((spaced.payload.text as { content: string }).content).toBe(' ping')
    expect((await r.sim.waitForReply({ msgId: spaced.msgId }, PATIENCE)).text).toMatch(/^pong/)
  })

  it('hands richText pictures to a skill that takes them, fetched through the message-file API', async () => {
    const got = await r.say(
      { msgtype: 'richText', segments: [{ text: 'keep this' }, { picture: 'PNG screenshot bytes' }] },
      PATIENCE,
    )
    const sha = createHash('sha256').update('PNG screenshot bytes').digest('hex').slice(0, 12)
    expect(got.text).toBe(`picture - 20 bytes sha256:${sha}`)
  })

  it('refuses an attachment to a skill that does not accept it, and a video to one that takes only pictures and files', async () => {
    const ping = await r.say({ msgtype: 'richText', segments: [{ text: 'ping' }, { picture: 'x' }] }, PATIENCE)
    expect(ping.text).toBe(
      'I can\'t use files here: "ping" reads text only (you sent a picture). Please send your request as text.',
    )
    expect((await r.say({ msgtype: 'video' }, PATIENCE)).text).toMatch(FILES)
  })

  it('answers senderStaffId "" and senderNick "" as absent, not as invalid', async () => {
    // Without a staffId the sender is an external user, whom the default allowlist refuses, saying so.
    const got = await r.say({ text: 'ping', senderStaffId: '', senderNick: '' }, PATIENCE)
    expect(got.text).toBe(USER_REFUSAL)
    const [fixture] = loadFixtures()
    const verbatim = await reply({ ...fixture!.payload, msgId: 'msg-empty-staff', senderStaffId: '', senderNick: '' })
    expect(verbatim.text).toBe(USER_REFUSAL)
    expect(r.app.services.events.list({ route: 'inbound' })).toEqual([])
  })

  it('answers a payload that fails validation, once, and records an error event', async () => {
    const [fixture] = loadFixtures()
    const broken = { ...fixture!.payload, msgId: 'msg-broken-1', conversationType: 7 }
    const got = await reply(broken)
    expect(got.text).toBe(textsFor('en').inbound.unreadable)
    const [event] = r.app.services.events.list({ route: 'inbound' })
    expect(event).toMatchObject({ code: 'invalid-payload', count: 1 })
    expect(event!.message).toContain('conversationType')
    // A redelivered copy is answered once: the ping sent after both is answered after both were taken in.
    const dup = { ...broken, msgId: 'msg-broken-dup' }
    r.sim.sendPayload(dup)
    r.sim.sendPayload(dup)
    await r.sim.waitForReply({ msgId: 'msg-broken-dup' }, PATIENCE)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    expect(r.sim.replies.filter((x) => x.msgId === 'msg-broken-dup')).toHaveLength(1)
    // A payload without a usable sessionWebhook cannot be answered, but still shows up for operators.
    r.sim.sendPayload({ msgId: 'msg-broken-2' })
    await r.logs.waitFor((l) => l.msg === 'dropped a robot callback with an invalid payload', PATIENCE)
  })

  it('keeps answering after an EVENT frame, which the SDK acks', async () => {
    const acked = new Promise<void>((resolve) => r.sim.once('event-ack', () => resolve()))
    r.sim.sendEvent('chat_update_title', { chatId: 'cid-team', title: 'renamed' })
    await acked
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
  })
})
