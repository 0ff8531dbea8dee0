import { describe, expect, it } from 'vitest'
import { mapRobotPayload, type InboundMessage } from '../../../src/dingtalk/message.js'
import { type DingTalkFixture, loadFixtures } from '../../helpers/dingtalk-fixtures.js'

const NOW = 1_700_000_000_000
const fixtures = loadFixtures()

function fixture(file: string): DingTalkFixture {
  const f = fixtures.find((x) => x.file === file)
  if (!f) throw new Error(`no fixture ${file}`)
  return f
}

function message(raw: string | Record<string, unknown>): InboundMessage {
  const r = mapRobotPayload(typeof raw === 'string' ? raw : JSON.stringify(raw), NOW)
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`)
  return r.message
}

describe('mapRobotPayload on the payloads DingTalk publishes', () => {
  it('maps every fixture to a message, never invalid', () => {
    expect(fixtures).toHaveLength(8)
    for (const f of fixtures) expect(message(f.raw).msgtype, f.file).toBe(f.msgtype)
  })

  it('reads plain text one-to-one with the org fields on the message', () => {
    expect(message(fixture('01-text-1on1.json').raw)).toMatchObject({
      conversationType: 'one-to-one',
      text: 'hello DingTalk!',
      senderStaffId: '042***297',
      senderCorpId: 'ding****6741',
      chatbotCorpId: 'ding****6741',
      isInAtList: false,
      atUsers: [],
      attachments: [],
      supported: true,
    })
  })

  it('reads pictures, videos and files as attachments with their download codes', () => {
    expect(message(fixture('02-picture-1on1.json').raw)).toMatchObject({
      text: '',
      supported: true,
      attachments: [{ type: 'picture', downloadCode: 'DOWNLOAD_CODE_PLACEHOLDER_PICTURE' }],
    })
    expect(message(fixture('03-video-1on1.json').raw).attachments).toEqual([
      { type: 'video', downloadCode: 'DOWNLOAD_CODE_PLACEHOLDER_VIDEO', name: 'video.mp4', durationSeconds: 5 },
    ])
    expect(message(fixture('05-file-1on1.json').raw).attachments).toEqual([
      { type: 'file', downloadCode: 'DOWNLOAD_CODE_PLACEHOLDER_FILE', name: 'foobar.zip' },
    ])
  })

  it('reads audio through its recognition, not as an attachment', () => {
    expect(message(fixture('04-audio-1on1-recognition.json').raw)).toMatchObject({
      text: '钉钉PaaS开放中心，致力为企业……',
      attachments: [],
    })
  })

  it('reads richText: text segments in order, the picture between them as an attachment', () => {
    const m = message(fixture('06-richtext-1on1-text-picture.json').raw)
    expect(m.text).toBe('这个问题示例图如下：\n通过以上示意图可以明白完整的交互流程')
    expect(m.attachments).toEqual([{ type: 'picture', downloadCode: 'DOWNLOAD_CODE_PLACEHOLDER_RICH' }])
    expect(m.supported).toBe(true)
  })

  it('marks unknownMsgType unsupported and ignores the undocumented extra key', () => {
    expect(message(fixture('07-unknownmsgtype-1on1.json').raw)).toMatchObject({ supported: false, text: '' })
  })

  it('reads the group message: leading space gone, the bot in atUsers, no createAt (the "createA" typo)', () => {
    expect(message(fixture('08-text-group-at-bot-stream.json').raw)).toMatchObject({
      conversationType: 'group',
      conversationTitle: '测试群',
      text: '测试数据',
      isInAtList: true,
      atUsers: [{ dingtalkId: '$:LWCP_v1:$4*****TgHFUDZ8Qi8qr3' }],
      createdAt: NOW,
    })
  })

  it('strips the @BotName of a group richText first segment, and only there', () => {
    const base = fixture('08-text-group-at-bot-stream.json').payload
    const m = message({
      ...base,
      msgtype: 'richText',
      text: undefined,
      content: {
        richText: [{ text: '@运维助手 ask why' }, { type: 'picture', downloadCode: 'c1' }, { text: '@bob too' }],
      },
    })
    expect(m.text).toBe('ask why\n@bob too')
    const dm = message({
      ...fixture('06-richtext-1on1-text-picture.json').payload,
      content: { richText: [{ text: '@x hi' }] },
    })
    expect(dm.text).toBe('@x hi')
  })

  it('treats "" in optional fields as absent', () => {
    const m = message({ ...fixture('01-text-1on1.json').payload, senderStaffId: '', senderNick: '', senderCorpId: '' })
    expect(m.senderStaffId).toBeUndefined()
    expect(m.senderCorpId).toBeUndefined()
    expect(m.senderNick).toBe('unknown')
  })

  it('reads quotes in both published shapes; a quoted card has no text', () => {
    const base = fixture('01-text-1on1.json').payload
    const quote = (repliedMsg: unknown) =>
      message({ ...base, text: { content: 'what is this?', isReplyMsg: true, repliedMsg } }).quoted
    expect(
      quote({ msgType: 'text', senderId: 's1', createdAt: 1695283600000, content: { content: 'checkout 502' } }),
    ).toEqual({ type: 'text', sender: 's1', time: 1695283600000, text: 'checkout 502' })
    expect(quote({ msgType: 'text', content: { text: 'checkout 502' } })).toEqual({
      type: 'text',
      text: 'checkout 502',
    })
    expect(
      quote({ msgType: 'richText', content: { richText: [{ type: 'text', text: 'see' }, { type: 'picture' }] } }),
    ).toEqual({
      type: 'richText',
      text: 'see',
    })
    expect(quote({ msgType: 'interactiveCard', senderId: 's2' })).toEqual({ type: 'interactiveCard', sender: 's2' })
    expect(message({ ...base, text: { content: 'x', isReplyMsg: false, repliedMsg: {} } }).quoted).toBeUndefined()
  })

  it('salvages the reply address of a payload that fails validation', () => {
    const r = mapRobotPayload(JSON.stringify({ ...fixture('08-text-group-at-bot-stream.json').payload, msgId: 7 }), NOW)
    expect(r).toMatchObject({
      kind: 'invalid',
      salvaged: {
        sessionWebhook: expect.stringContaining('sendBySession'),
        conversationType: 'group',
        senderStaffId: '16650***698',
      },
    })
  })
})
