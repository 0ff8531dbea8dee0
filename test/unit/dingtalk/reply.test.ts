import fc from 'fast-check'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { InboundMessage } from '../../../src/dingtalk/message.js'
import { CHUNK_CHARS, ReplySender, splitContent, type UndeliveredReport } from '../../../src/dingtalk/reply.js'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const wellFormed = (s: string) => !LONE_SURROGATE.test(s)

describe('splitContent', () => {
  it('leaves short content alone', () => {
    expect(splitContent('hello')).toEqual(['hello'])
    const md = { title: 't', markdown: 'x'.repeat(CHUNK_CHARS) }
    expect(splitContent(md)).toEqual([md])
  })

  it('cuts text without line breaks at the limit', () => {
    const parts = splitContent('a'.repeat(9000)) as string[]
    expect(parts.map((p) => p.length)).toEqual([3800, 3800, 1400])
  })

  it('prefers to cut at a line break, dropping that break', () => {
    const line = 'l'.repeat(99)
    const text = Array.from({ length: 100 }, () => line).join('\n')
    const parts = splitContent(text) as string[]
    expect(parts.length).toBe(3)
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(CHUNK_CHARS)
      expect(p.startsWith('\n') || p.endsWith('\n')).toBe(false)
    }
    expect(parts.join('\n')).toBe(text)
  })

  it('keeps the markdown title on every chunk', () => {
    const parts = splitContent({ title: 'Report', markdown: 'm'.repeat(8000) }, 3000)
    expect(parts).toHaveLength(3)
    for (const p of parts) expect(p).toMatchObject({ title: 'Report' })
  })

  it('never splits a surrogate pair (emoji) across chunks', () => {
    const text = 'a' + '😀'.repeat(5000)
    const parts = splitContent(text) as string[]
    expect(parts.join('')).toBe(text)
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(CHUNK_CHARS)
      expect(wellFormed(p)).toBe(true)
    }
  })

  it('keeps every character and respects the limit (property)', () => {
    const emoji = fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp))
    const piece = fc.oneof(
      fc.string({ unit: emoji, maxLength: 40 }),
      fc.constant('\n'),
      fc.constant('\n\n'),
      fc.constant('运维'),
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 300 }), fc.integer({ min: 20, max: 500 }), (pieces, limit) => {
        const text = pieces.join('')
        const parts = splitContent(text, limit) as string[]
        // Only the line breaks at cut points are dropped; no chunk is over the limit or carries half an emoji.
        return (
          parts.every((p) => p.length <= limit && wellFormed(p)) &&
          parts.join('').replace(/\n/g, '') === text.replace(/\n/g, '')
        )
      }),
      { numRuns: 200 },
    )
  })
})

describe('ReplySender.webhookAllowed', () => {
  const sender = new ReplySender({
    webhookHosts: ['oapi.dingtalk.com', '127.0.0.1:9000'],
    log: pino({ level: 'silent' }),
  })

  it.each([
    ['https://oapi.dingtalk.com/robot/sendBySession?session=x', true],
    ['https://OAPI.dingtalk.com/robot/sendBySession?session=x', true],
    ['http://127.0.0.1:9000/robot/sendBySession?session=x', true],
    ['http://oapi.dingtalk.com/robot/sendBySession', false],
    ['https://oapi.dingtalk.com.evil.example/x', false],
    ['https://evil.example/x?u=https://oapi.dingtalk.com/', false],
    ['https://user:pw@oapi.dingtalk.com/x', false],
    ['http://127.0.0.1:9001/x', false],
    ['http://127.0.0.1/x', false],
    ['https://oapi.dingtalk.com:8443/x', false],
    ['not a url', false],
    ['file:///etc/passwd', false],
  ])('%s → %s', (url, allowed) => {
    expect(sender.webhookAllowed(url)).toBe(allowed)
  })
})

describe('ReplySender.onUndelivered', () => {
  const refusedHost: InboundMessage = {
    msgId: 'm-1',
    conversationId: 'cid-1',
    conversationType: 'one-to-one',
    senderStaffId: 'user1',
    senderId: 'x',
    senderNick: 'user1',
    isInAtList: false,
    atUsers: [],
    msgtype: 'text',
    text: 'ping',
    attachments: [],
    supported: true,
    sessionWebhook: 'https://evil.example/robot/sendBySession?session=x',
    sessionWebhookExpiresAt: Number.MAX_SAFE_INTEGER,
    createdAt: 0,
  }

  it('reports each undelivered reply once, with the message, its route and why', async () => {
    const reports: UndeliveredReport[] = []
    const sender = new ReplySender({
      webhookHosts: ['oapi.dingtalk.com'],
      log: pino({ level: 'silent' }),
      onUndelivered: (r) => reports.push(r),
    })
    expect(await sender.send(refusedHost, 'pong', { route: 'ping' })).toBe('refused-host')
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ msg: { msgId: 'm-1' }, route: 'ping', problem: { code: 'webhook-refused' } })
  })

  it('a throwing hook is logged, and the reply path answers as it would without it', async () => {
    const lines: string[] = []
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) })
    const sender = new ReplySender({
      webhookHosts: ['oapi.dingtalk.com'],
      log,
      onUndelivered: () => {
        throw new Error('disk full')
      },
    })
    expect(await sender.send(refusedHost, 'pong')).toBe('refused-host')
    expect(lines.some((l) => l.includes('could not record an undelivered reply') && l.includes('disk full'))).toBe(true)
  })
})
