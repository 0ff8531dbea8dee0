import { describe, expect, it } from 'vitest'
import { buildRobotPayload, lwcpId } from '../../src/simulator/payload.js'
import type { SimMessageInput } from '../../src/simulator/types.js'

const ctx = {
  now: 1_700_000_000_000,
  robotCode: 'sim-robot',
  robotName: '运维助手',
  chatbotUserId: lwcpId('bot-sim-robot'),
  sessionWebhook: 'http://127.0.0.1:1/robot/sendBySession?session=x',
  sessionTtlMs: 90 * 60_000,
}
const build = (input: SimMessageInput) => buildRobotPayload(input, ctx)

describe('simulator payloads shaped like DingTalk sends them', () => {
  it('leaves a leading space in group text, none one-to-one', () => {
    expect(build({ text: '/status', conversationId: 'cid-ops' }).payload.text).toEqual({ content: ' /status' })
    expect(build({ text: 'ping' }).payload.text).toEqual({ content: 'ping' })
  })

  it('builds richText: no type on text segments, @robotName first in a group, pictures downloadable', () => {
    const dm = build({ msgtype: 'richText', segments: [{ text: 'look' }, { picture: 'png' }] })
    const segments = (dm.payload.content as { richText: Record<string, unknown>[] }).richText
    expect(segments[0]).toEqual({ text: 'look' })
    expect(segments[1]).toMatchObject({
      type: 'picture',
      downloadCode: expect.any(String),
      pictureDownloadCode: expect.any(String),
    })
    expect(dm.files).toEqual([
      expect.objectContaining({ downloadCode: segments[1]!.downloadCode, bytes: Buffer.from('png') }),
    ])
    expect(dm.payload.text).toBeUndefined()
    const group = build({ msgtype: 'richText', text: 'ping', conversationId: 'cid-team' })
    expect((group.payload.content as { richText: unknown[] }).richText).toEqual([{ text: '@运维助手 ping' }])
    const pictureFirst = build({ msgtype: 'richText', conversationId: 'cid-team', segments: [{ picture: 'p' }] })
    expect((pictureFirst.payload.content as { richText: { text?: string }[] }).richText[0]).toEqual({
      text: '@运维助手 ',
    })
  })

  it('builds video and file bodies as the published ones, with a string duration', () => {
    expect(build({ msgtype: 'video' }).payload.content).toMatchObject({
      duration: '5',
      videoType: 'mp4',
      downloadCode: expect.any(String),
    })
    expect(build({ msgtype: 'file', file: 'zip' }).payload.content).toMatchObject({
      fileName: 'foobar.zip',
      spaceId: '1',
    })
  })

  it('quotes in both shapes, and a quoted card without content', () => {
    const quoted = (input: SimMessageInput['quote']) =>
      (build({ text: 'what?', quote: input }).payload.text as { repliedMsg: Record<string, unknown> }).repliedMsg
    expect(build({ text: 'what?', quote: { text: 'q' } }).payload.text).toMatchObject({
      content: 'what?',
      isReplyMsg: true,
    })
    expect(quoted({ text: 'q' }).content).toEqual({ content: 'q' })
    expect(quoted({ text: 'q', shape: 'text' }).content).toEqual({ text: 'q' })
    const card = quoted({ msgtype: 'interactiveCard', text: 'ignored' })
    expect(card.msgType).toBe('interactiveCard')
    expect(card).not.toHaveProperty('content')
  })

  it('sends external senders from another corp, and empty optional strings as given', () => {
    const external = build({ text: 'hi', senderStaffId: null }).payload
    expect(external).not.toHaveProperty('senderStaffId')
    expect(external.senderCorpId).not.toBe(external.chatbotCorpId)
    const empty = build({ text: 'hi', senderStaffId: '', senderNick: '' }).payload
    expect(empty).toMatchObject({ senderStaffId: '', senderNick: '' })
    expect(build({ text: 'hi', senderCorpId: 'dingguest' }).payload.senderCorpId).toBe('dingguest')
  })
})
