import { describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES, parseFrame, ROBOT_TOPIC } from '../../../src/dingtalk/frames.js'

const good = {
  specVersion: '1.0',
  type: 'CALLBACK',
  headers: { topic: ROBOT_TOPIC, messageId: 'mid-1', contentType: 'application/json' },
  data: '{"a":1}',
}

describe('parseFrame', () => {
  it('accepts a well-formed frame, as text or as a Buffer, keeping extra headers', () => {
    for (const raw of [JSON.stringify(good), Buffer.from(JSON.stringify(good))]) {
      const r = parseFrame(raw)
      expect(r).toEqual({ ok: true, frame: { type: 'CALLBACK', headers: good.headers, data: '{"a":1}' } })
    }
  })

  it('gives a frame without data an empty data string', () => {
    const r = parseFrame(JSON.stringify({ type: 'SYSTEM', headers: { topic: 'KEEPALIVE' } }))
    expect(r.ok && r.frame.data).toBe('')
  })

  it('refuses non-text input', () => {
    for (const raw of [undefined, null, 42, {}, [Buffer.from('x')], new ArrayBuffer(4)]) {
      expect(parseFrame(raw)).toEqual({ ok: false, reason: 'frame is not text' })
    }
  })

  it('refuses non-JSON', () => {
    for (const raw of ['', 'hello', '{', '{"type":', Buffer.from([0xff, 0xfe, 0x00])]) {
      expect(parseFrame(raw)).toMatchObject({ ok: false, reason: 'frame is not JSON' })
    }
  })

  it('refuses an oversized frame before parsing it', () => {
    const big = JSON.stringify({ ...good, data: 'x'.repeat(MAX_FRAME_BYTES) })
    expect(parseFrame(big)).toEqual({ ok: false, reason: `frame over ${MAX_FRAME_BYTES} bytes` })
    // Multi-byte characters count as bytes, not characters.
    const cjk = JSON.stringify({ ...good, data: '字'.repeat(Math.ceil(MAX_FRAME_BYTES / 3) + 10) })
    expect(parseFrame(cjk)).toMatchObject({ ok: false })
  })

  it('refuses bad envelopes, and reads the messageId when it can (so the frame can still be acked)', () => {
    expect(parseFrame(JSON.stringify({ type: 'CALLBACK', data: '{}' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('headers'),
    })
    expect(parseFrame(JSON.stringify({ type: 'CALLBACK', headers: null }))).toMatchObject({
      ok: false,
      messageId: undefined,
    })
    expect(parseFrame(JSON.stringify({ headers: { messageId: 'mid-2' } }))).toEqual({
      ok: false,
      reason: 'bad envelope: type',
      messageId: 'mid-2',
    })
    expect(parseFrame(JSON.stringify({ ...good, data: { not: 'a string' } }))).toMatchObject({
      ok: false,
      reason: 'bad envelope: data',
      messageId: 'mid-1',
    })
    expect(parseFrame(JSON.stringify({ ...good, type: 'X'.repeat(33) }))).toMatchObject({
      ok: false,
      messageId: 'mid-1',
    })
    expect(parseFrame(JSON.stringify({ ...good, headers: { messageId: 42 } }))).toMatchObject({
      ok: false,
      messageId: undefined,
    })
    expect(parseFrame(JSON.stringify({ ...good, headers: { messageId: 'm'.repeat(300) } }))).toMatchObject({
      ok: false,
      messageId: undefined,
    })
    for (const json of ['null', '[]', '42', '"s"', 'true']) expect(parseFrame(json)).toMatchObject({ ok: false })
  })
})
