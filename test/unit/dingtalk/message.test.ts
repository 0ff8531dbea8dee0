import { describe, expect, it } from 'vitest'
import { mapRobotPayload } from '../../../src/dingtalk/message.js'
import { buildRobotPayload, lwcpId } from '../../../src/simulator/payload.js'
import type { SimMessageInput } from '../../../src/simulator/types.js'

const NOW = 1_700_000_000_000
const BOT = lwcpId('bot-sim-robot')

/** A payload shaped exactly like the simulator's (DINGTALK.md §4). */
function payload(input: SimMessageInput = {}): Record<string, unknown> {
  return buildRobotPayload(input, {
    now: NOW,
    robotCode: 'sim-robot',
    chatbotUserId: BOT,
    sessionTtlMs: 90 * 60_000,
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
  }).payload
}

function map(p: unknown) {
  return mapRobotPayload(typeof p === 'string' ? p : JSON.stringify(p), NOW + 5)
}

function message(p: unknown) {
  const r = map(p)
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`)
  return r.message
}

describe('mapRobotPayload', () => {
  it('maps a one-to-one text message and trims the text', () => {
    const m = message(payload({ text: '  ping \n', msgId: 'm1' }))
    expect(m).toMatchObject({
      msgId: 'm1',
      conversationType: 'one-to-one',
      senderStaffId: 'user1',
      senderNick: '张三',
      msgtype: 'text',
      text: 'ping',
      supported: true,
      createdAt: NOW,
      sessionWebhookExpiresAt: NOW + 90 * 60_000,
      robotCode: 'sim-robot',
    })
  })

  it('maps a group message (the @ leaves a leading space)', () => {
    const m = message(payload({ text: ' /status', conversationId: 'cid-ops' }))
    expect(m.conversationType).toBe('group')
    expect(m.conversationTitle).toBe('模拟群')
    expect(m.text).toBe('/status')
  })

  it("drops the bot's own message", () => {
    expect(map(payload({ text: 'echo', senderId: BOT }))).toEqual({ kind: 'own' })
  })

  it('keeps external users (no senderStaffId) with a nickname fallback', () => {
    const p = payload({ text: 'hi', senderStaffId: null })
    delete p.senderNick
    const m = message(p)
    expect(m.senderStaffId).toBeUndefined()
    expect(m.senderNick).toBe('unknown')
  })

  it('reads "" and null as absent in the fields DingTalk leaves blank, and nowhere else', () => {
    for (const blank of ['', null]) {
      const p = {
        ...payload({ text: 'hi', conversationId: 'cid-ops' }),
        conversationTitle: blank,
        senderStaffId: blank,
        senderNick: blank,
        senderCorpId: blank,
        chatbotCorpId: blank,
        isInAtList: blank,
        atUsers: [{ dingtalkId: 'd1', staffId: blank }],
        chatbotUserId: blank,
        robotCode: blank,
      }
      expect(message(p)).toMatchObject({
        conversationTitle: undefined,
        senderStaffId: undefined,
        senderNick: 'unknown',
        senderCorpId: undefined,
        chatbotCorpId: undefined,
        isInAtList: false,
        atUsers: [{ dingtalkId: 'd1' }],
        robotCode: undefined,
      })
      expect(message({ ...p, atUsers: blank }).atUsers).toEqual([])
      for (const required of ['msgId', 'conversationId', 'senderId', 'msgtype', 'sessionWebhook'])
        expect(map({ ...p, [required]: blank }).kind).toBe('invalid')
    }
  })

  it('reads audio through its speech-to-text recognition', () => {
    const m = message(payload({ msgtype: 'audio', text: ' ping ' }))
    expect(m).toMatchObject({ msgtype: 'audio', text: 'ping', supported: true })
  })

  it('marks types it cannot read as unsupported, with empty text', () => {
    for (const msgtype of ['unknownMsgType', 'markdown', 'interactiveCard', 'chatRecord']) {
      expect(message(payload({ msgtype }))).toMatchObject({ msgtype, text: '', supported: false, attachments: [] })
    }
    expect(message(payload({ msgtype: 'picture', content: {} })).supported).toBe(false)
    expect(message(payload({ msgtype: 'audio', content: { recognition: '   ' } })).supported).toBe(false)
    expect(message(payload({ msgtype: 'audio', content: { recognition: 42 } })).supported).toBe(false)
    expect(message(payload({ msgtype: 'audio', content: null })).supported).toBe(false)
  })

  it('defaults the webhook expiry to createAt + 90 min and createdAt to now', () => {
    const p = payload({ text: 'x' })
    delete p.createAt
    delete p.sessionWebhookExpiredTime
    const m = message(p)
    expect(m.createdAt).toBe(NOW + 5)
    expect(m.sessionWebhookExpiresAt).toBe(NOW + 5 + 90 * 60_000)
  })

  it('turns hostile payloads into `invalid` without throwing', () => {
    const without = (key: string) => {
      const p = payload({ text: 'x' })
      delete p[key]
      return p
    }
    const cases: unknown[] = [
      'not json',
      '',
      'null',
      '[]',
      '42',
      '"text"',
      {},
      without('msgId'),
      without('conversationId'),
      without('senderId'),
      without('sessionWebhook'),
      without('msgtype'),
      { ...payload({ text: 'x' }), msgId: '' },
      { ...payload({ text: 'x' }), msgId: 'x'.repeat(257) },
      { ...payload({ text: 'x' }), msgId: 42 },
      { ...payload({ text: 'x' }), conversationType: '3' },
      { ...payload({ text: 'x' }), conversationType: 2 },
      { ...payload({ text: 'x' }), text: 'not an object' },
      { ...payload({ text: 'x' }), text: { content: 5 } },
      { ...payload({ text: 'x' }), createAt: -1 },
      { ...payload({ text: 'x' }), sessionWebhook: 'x'.repeat(3000) },
    ]
    for (const c of cases) {
      const r = map(c)
      expect(r.kind, JSON.stringify(c).slice(0, 80)).toBe('invalid')
      if (r.kind === 'invalid') expect(r.problems.length).toBeGreaterThan(0)
    }
  })

  it('names the problem fields', () => {
    const p = payload({ text: 'x' })
    delete p.msgId
    const r = map(p)
    expect(r.kind === 'invalid' && r.problems.join(' ')).toContain('msgId')
  })
})
