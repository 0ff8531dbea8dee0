import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES, ROBOT_TOPIC } from '../../src/dingtalk/frames.js'
import { deepJson } from '../helpers/arbitraries.js'
import { PATIENCE } from '../helpers/patience.js'
import type { TestRouter } from '../helpers/router.js'
import { SecurityHarness } from '../helpers/security.js'
import { waitIdle } from '../helpers/waits.js'

// Oversized and deeply nested input: a 10,000-deep JSON value in the payload, a 900 KB text, a 2 MB frame.
// Each is refused or dropped; the process stays up on the same connection and the next ping is answered.
// (hostile-frames covers one frame just over 1 MiB; this is the attacker's larger list.)

const h = new SecurityHarness()
afterEach(() => h.finish(), PATIENCE)

let seq = 0

/**
 * A robot CALLBACK frame built as text, so a value too deep for JSON.stringify can be spliced in.
 * Its session webhook was never issued, so any answer comes back as a proactive group send to `conversationId`.
 */
function rawCallback(
  r: TestRouter,
  fields: { content?: string; extra?: string; textJson?: string },
): { frame: string; conversationId: string; messageId: string } {
  const n = ++seq
  const conversationId = `cid-oversized-${n}`
  const text = fields.textJson ?? JSON.stringify({ content: fields.content ?? 'ping' })
  const data =
    `{"conversationId":"${conversationId}","conversationType":"2","conversationTitle":"t","msgId":"oversized-${n}-${Date.now()}",` +
    `"msgtype":"text","text":${text},"senderStaffId":"user1","senderId":"$:LWCP_v1:$u1","senderNick":"u",` +
    `"sessionWebhook":"${r.sim.baseUrl}/robot/sendBySession?session=never-issued-${n}","createAt":${Date.now()}` +
    `${fields.extra ? `,"extra":${fields.extra}` : ''}}`
  const messageId = `oversized-frame-${n}`
  // The envelope is written by hand as well: `data` is a JSON string holding that text.
  const frame = `{"specVersion":"1.0","type":"CALLBACK","headers":{"topic":"${ROBOT_TOPIC}","messageId":"${messageId}","contentType":"application/json"},"data":${JSON.stringify(data)}}`
  return { frame, conversationId, messageId }
}

describe('security: oversized and deeply nested payloads', { timeout: 5 * PATIENCE }, () => {
  it('drops or refuses each one and keeps answering on the same connection', async () => {
    const r = await h.router()
    const connects = r.app.stream.counters.connects
    const rejectedBefore = r.app.stream.counters.framesRejected
    const groupReply = (conversationId: string) =>
      r.sim.waitForReply({ conversationId, predicate: (x) => x.kind === 'group' }, PATIENCE)

    // 10,000 levels in a field the router does not read: ignored, the message itself is answered.
    const deepExtra = rawCallback(r, { extra: deepJson(10_000, 'object') })
    r.sim.sendRaw(deepExtra.frame)
    expect((await groupReply(deepExtra.conversationId)).text).toBe('pong')

    // 10,000 levels where the text should be, and 100,000 levels as the whole payload: invalid, dropped, acked.
    const deepText = rawCallback(r, { textJson: deepJson(10_000, 'object', '"x"') })
    r.sim.sendRaw(deepText.frame)
    const deepWhole = `{"specVersion":"1.0","type":"CALLBACK","headers":{"topic":"${ROBOT_TOPIC}","messageId":"oversized-deep-whole"},"data":${JSON.stringify(deepJson(100_000, 'array'))}}`
    r.sim.sendRaw(deepWhole)
    for (const messageId of [deepText.messageId, 'oversized-deep-whole']) {
      await r.logs.waitFor(
        (l) => l.msg === 'dropped a robot callback with an invalid payload' && l.messageId === messageId,
        PATIENCE,
      )
    }

    // A 900 KB text through the simulator: under the frame limit, so it is read, and refused as too long.
    const big = r.sim.sendMessage({ text: 'p'.repeat(900_000) })
    const refusal = await r.sim.waitForReply({ msgId: big.msgId }, PATIENCE)
    expect(refusal.text).toMatch(/^That message is 900000 characters; I take at most \d+\./)
    // Stored to answer it, then emptied once answered: the inbox does not keep 900 KB per message.
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    await waitIdle(r)
    const db = new Database(r.dbPath, { readonly: true })
    try {
      expect(db.prepare('SELECT status, length(payload) AS bytes FROM inbox WHERE msg_id = ?').get(big.msgId)).toEqual({
        status: 'done',
        bytes: 0,
      })
    } finally {
      db.close()
    }

    // A 2 MB frame (and one at 1 MiB + 1 byte of data): dropped unread, counted, no reconnect.
    for (const size of [2 * 1024 * 1024, MAX_FRAME_BYTES + 1]) {
      const huge = rawCallback(r, { content: 'q'.repeat(size) })
      const before = r.app.stream.counters.framesRejected
      r.sim.sendRaw(huge.frame)
      await r.logs.waitFor(
        (l) =>
          l.msg === 'dropped a malformed frame' &&
          String(l.reason).includes('frame over') &&
          r.app.stream.counters.framesRejected > before,
        PATIENCE,
      )
      expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    }

    expect(r.app.stream.counters.connects).toBe(connects)
    expect(r.app.stream.state).toBe('connected')
    expect(r.app.stream.counters.framesRejected - rejectedBefore).toBe(2)
    expect(r.sim.stats.connectionsAccepted).toBe(1)
    await waitIdle(r)
    expect(r.app.services.inbox.pending()).toEqual([])
  })
})
