import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import { MAX_FRAME_BYTES, parseFrame, ROBOT_TOPIC } from '../../src/dingtalk/frames.js'
import { mapRobotPayload, type MappedPayload } from '../../src/dingtalk/message.js'
import { parseCommandLine, toArgsInput, type CommandParse } from '../../src/router/command-parser.js'
import {
  deepJson,
  deepJsonText,
  fuzzParams,
  hostileKey,
  hostileString,
  hostileValue,
  jsonText,
} from '../helpers/arbitraries.js'

// Properties of the three parsers every inbound byte goes through: whatever comes in, they return a
// well-formed result and never throw, and nothing they do pollutes Object.prototype.

const PROTO_PROBES = ['messageId', 'topic', 'senderStaffId', 'isAdmin', 'x', 'polluted', 'skill', 'id']

afterEach(() => {
  // A parser that assigned through a `__proto__` key would show up on every object.
  const probe: Record<string, unknown> = {}
  for (const key of PROTO_PROBES) expect(probe[key], `Object.prototype.${key}`).toBeUndefined()
})

function wellFormedFrame(r: ReturnType<typeof parseFrame>): boolean {
  if (r.ok) {
    const { frame } = r
    return (
      typeof frame.type === 'string' &&
      frame.type.length <= 32 &&
      typeof frame.headers === 'object' &&
      frame.headers !== null &&
      !Array.isArray(frame.headers) &&
      (frame.headers.topic === undefined ||
        (typeof frame.headers.topic === 'string' && frame.headers.topic.length <= 256)) &&
      (frame.headers.messageId === undefined ||
        (typeof frame.headers.messageId === 'string' &&
          frame.headers.messageId.length >= 1 &&
          frame.headers.messageId.length <= 256)) &&
      typeof frame.data === 'string'
    )
  }
  return (
    typeof r.reason === 'string' &&
    r.reason.length > 0 &&
    (r.messageId === undefined ||
      (typeof r.messageId === 'string' && r.messageId.length >= 1 && r.messageId.length <= 256))
  )
}

const frameType = fc.oneof(fc.constantFrom('SYSTEM', 'EVENT', 'CALLBACK'), hostileString(40))
const frameHeaders = fc.oneof(
  fc.record(
    {
      topic: fc.oneof(fc.constantFrom(ROBOT_TOPIC, 'ping', 'disconnect', 'KEEPALIVE'), hostileString(300)),
      messageId: fc.oneof(fc.uuid(), hostileString(300)),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(hostileKey, hostileValue, { maxKeys: 6 }),
  hostileValue,
)
/** Frame-shaped JSON text: a plausible envelope with hostile parts. */
const frameText = fc
  .record(
    {
      specVersion: fc.oneof(fc.constant('1.0'), hostileValue),
      type: fc.oneof(frameType, hostileValue),
      headers: frameHeaders,
      data: fc.oneof(hostileString(200), hostileValue.map(jsonText), hostileValue),
    },
    { requiredKeys: [] },
  )
  .map(jsonText)

describe('fuzz: parseFrame', () => {
  it('never throws on arbitrary text, bytes and values, and returns a well-formed result', () => {
    const raw = fc.oneof(
      hostileString(300),
      frameText,
      hostileValue.map(jsonText),
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      frameText.map((t) => Buffer.from(t)),
      hostileValue,
      fc.constantFrom(undefined, null, 42, Symbol('x'), new ArrayBuffer(8), [Buffer.from('{}')], () => 1),
    )
    fc.assert(
      fc.property(raw, (input) => wellFormedFrame(parseFrame(input))),
      fuzzParams(500),
    )
  })

  it('accepts every well-formed envelope, keeping its type, ids and data', () => {
    const envelope = fc.record({
      type: fc.constantFrom('SYSTEM', 'EVENT', 'CALLBACK'),
      headers: fc.record({
        topic: fc.string({ minLength: 1, maxLength: 256 }),
        messageId: fc.string({ minLength: 1, maxLength: 256 }),
      }),
      data: fc.string({ unit: 'binary', maxLength: 500 }),
    })
    fc.assert(
      fc.property(envelope, (e) => {
        const r = parseFrame(JSON.stringify(e))
        return (
          r.ok &&
          r.frame.type === e.type &&
          r.frame.data === e.data &&
          r.frame.headers.topic === e.headers.topic &&
          r.frame.headers.messageId === e.headers.messageId
        )
      }),
      fuzzParams(300),
    )
  })

  it('survives deep nesting anywhere in the envelope', () => {
    const where = fc.constantFrom('frame', 'headers', 'header value', 'data')
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.constantFrom('array' as const, 'object' as const),
        where,
        (depth, kind, at) => {
          const deep = deepJson(depth, kind)
          const text =
            at === 'frame'
              ? deep
              : at === 'headers'
                ? `{"type":"CALLBACK","headers":${deep},"data":"{}"}`
                : at === 'header value'
                  ? `{"type":"SYSTEM","headers":{"topic":"ping","messageId":"m","x":${deep}},"data":"{}"}`
                  : `{"type":"CALLBACK","headers":{"topic":"t","messageId":"m"},"data":${deep}}`
          return wellFormedFrame(parseFrame(text))
        },
      ),
      fuzzParams(60),
    )
  })

  it('refuses frames over the size limit without parsing them, and takes one just under it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -64, max: 64 }), fc.constantFrom('x', 'é', '中'), (delta, ch) => {
        const envelope = (n: number) =>
          `{"type":"CALLBACK","headers":{"topic":"t","messageId":"m"},"data":"${ch.repeat(n)}"}`
        const overhead = Buffer.byteLength(envelope(0))
        const chars = Math.max(0, Math.floor((MAX_FRAME_BYTES - overhead) / Buffer.byteLength(ch)) + delta)
        const text = envelope(chars)
        const r = parseFrame(text)
        expect(wellFormedFrame(r)).toBe(true)
        expect(r.ok).toBe(Buffer.byteLength(text) <= MAX_FRAME_BYTES)
      }),
      fuzzParams(40),
    )
  })
})

/** A valid robot payload, then any fields overwritten with hostile values. */
const basePayload = {
  conversationId: 'cid-1',
  conversationType: '1',
  msgId: 'msg-1',
  msgtype: 'text',
  text: { content: ' ping ' },
  senderStaffId: 'user1',
  senderId: '$:LWCP_v1:$abc',
  senderNick: 'n',
  chatbotUserId: '$:LWCP_v1:$bot',
  robotCode: 'r',
  createAt: 1_700_000_000_000,
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s',
  sessionWebhookExpiredTime: 1_700_005_400_000,
}
const payloadKeys = Object.keys(basePayload)
const nearValidPayload = fc
  .tuple(
    fc.dictionary(
      fc.oneof(fc.constantFrom(...payloadKeys), hostileKey),
      fc.oneof(hostileValue, fc.constant(undefined)),
      { maxKeys: 4 },
    ),
    fc.subarray(payloadKeys, { maxLength: 3 }),
  )
  .map(([overrides, removed]) => {
    const p: Record<string, unknown> = { ...basePayload }
    for (const key of removed) delete p[key]
    // Define, not assign: a `__proto__` override must become an own key of the JSON, as an attacker would send it.
    for (const [k, v] of Object.entries(overrides))
      Object.defineProperty(p, k, { value: v, enumerable: true, configurable: true, writable: true })
    return jsonText(p)
  })

function wellFormedMapping(r: MappedPayload): boolean {
  if (r.kind === 'own') return true
  if (r.kind === 'invalid')
    return (
      Array.isArray(r.problems) &&
      r.problems.length >= 1 &&
      r.problems.length <= 5 &&
      r.problems.every((p) => typeof p === 'string')
    )
  const m = r.message
  const id = (s: unknown) => typeof s === 'string' && s.length >= 1 && s.length <= 256
  return (
    r.kind === 'message' &&
    id(m.msgId) &&
    id(m.conversationId) &&
    id(m.senderId) &&
    (m.conversationType === 'one-to-one' || m.conversationType === 'group') &&
    (m.senderStaffId === undefined || id(m.senderStaffId)) &&
    typeof m.senderNick === 'string' &&
    typeof m.msgtype === 'string' &&
    m.msgtype.length >= 1 &&
    typeof m.text === 'string' &&
    m.text === m.text.trim() &&
    typeof m.supported === 'boolean' &&
    (m.supported || m.text === '') &&
    typeof m.sessionWebhook === 'string' &&
    m.sessionWebhook.length <= 2048 &&
    Number.isSafeInteger(m.createdAt) &&
    Number.isSafeInteger(m.sessionWebhookExpiresAt)
  )
}

describe('fuzz: mapRobotPayload', () => {
  it('never throws, and returns message / own / invalid, each well-formed', () => {
    const data = fc.oneof(
      hostileString(300),
      hostileValue.map(jsonText),
      nearValidPayload,
      nearValidPayload,
      deepJsonText(20_000),
    )
    fc.assert(
      fc.property(data, (d) => wellFormedMapping(mapRobotPayload(d, 1_700_000_000_000))),
      fuzzParams(500),
    )
  })

  it('takes nothing from a prototype key: a `__proto__` or `constructor` field never sets the sender', () => {
    const withoutStaff: Record<string, unknown> = { ...basePayload }
    delete withoutStaff.senderStaffId
    const spoof = fc.record(
      { senderStaffId: fc.constantFrom('op1', 'op2'), isAdmin: fc.constant(true), msgtype: fc.constant('text') },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(fc.constantFrom('__proto__', 'constructor', 'prototype'), spoof, (key, value) => {
        const text = jsonText(withoutStaff).replace(
          /^\{/,
          `{${JSON.stringify(key)}:${JSON.stringify(key === '__proto__' ? value : { prototype: value })},`,
        )
        const r = mapRobotPayload(text, 1)
        expect(r.kind).toBe('message')
        if (r.kind === 'message') expect(r.message.senderStaffId).toBeUndefined()
      }),
      fuzzParams(50),
    )
  })
})

function wellFormedParse(r: CommandParse): boolean {
  if (!r.ok)
    return (
      typeof r.error === 'string' &&
      r.error.length > 0 &&
      (r.name === undefined || /^[a-z][a-z0-9-]{0,39}$/.test(r.name))
    )
  const { name, positional, named } = r.command
  return (
    /^[a-z][a-z0-9-]{0,39}$/.test(name) &&
    Array.isArray(positional) &&
    positional.every((p) => typeof p === 'string') &&
    Object.getPrototypeOf(named) === Object.prototype &&
    Object.keys(named).every((k) => /^[a-z][a-zA-Z0-9_-]{0,31}$/.test(k) && typeof named[k] === 'string') &&
    positional.length + Object.keys(named).length <= 64
  )
}

/** Every command's positional names, plus hostile ones. */
const positionalNames = fc.oneof(
  fc.constantFrom(...commands.map((c) => c.positional ?? [])),
  fc.array(
    fc.oneof(
      hostileKey,
      hostileKey.map((k) => `${k}...`),
    ),
    { maxLength: 4 },
  ),
)

describe('fuzz: parseCommandLine and toArgsInput', () => {
  const line = fc.oneof(
    hostileString(300),
    hostileString(300).map((s) => '/' + s),
    fc
      .tuple(
        fc.constantFrom(...commands.map((c) => c.name)),
        fc.array(
          fc.oneof(
            hostileString(30),
            fc.tuple(hostileKey, hostileString(20)).map(([k, v]) => `${k}=${v}`),
          ),
          { maxLength: 8 },
        ),
      )
      .map(([name, words]) => `/${name} ${words.join(' ')}`),
  )

  it('parses any line into a well-formed result without throwing', () => {
    fc.assert(
      fc.property(line, (text) => wellFormedParse(parseCommandLine(text))),
      fuzzParams(500),
    )
  })

  it('maps any parse onto any positional names, and every command schema judges the result without throwing', () => {
    fc.assert(
      fc.property(line, positionalNames, (text, names) => {
        const parsed = parseCommandLine(text)
        if (!parsed.ok) return true
        const input = toArgsInput(parsed.command, names)
        if (input.ok) expect(typeof input.input).toBe('object')
        else expect(input.error).toMatch(/^\S+= is given twice: /)
        for (const def of commands) {
          const mapped = toArgsInput(parsed.command, def.positional)
          if (!mapped.ok) continue
          const checked = def.args.safeParse(mapped.input)
          expect(typeof checked.success).toBe('boolean')
        }
        return true
      }),
      fuzzParams(300),
    )
  })

  it('keeps arbitrary named fields as data: prototype keys never become a prototype', () => {
    const cmd = fc.record({
      name: fc.constant('x'),
      positional: fc.array(hostileString(20), { maxLength: 5 }),
      named: fc.dictionary(hostileKey, hostileString(20), { maxKeys: 5 }),
    })
    fc.assert(
      fc.property(cmd, positionalNames, (c, names) => {
        const out = toArgsInput(c, names)
        return !out.ok || Object.getPrototypeOf(out.input) === Object.prototype
      }),
      fuzzParams(300),
    )
  })

  it('stays quick and well-formed on huge lines', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_000, max: 400_000 }),
        fc.constantFrom('a', ' ', '"', 'k=v ', '“', '\u0000'),
        (n, unit) => {
          const started = performance.now()
          const r = parseCommandLine('/disable-skill ' + unit.repeat(Math.ceil(n / unit.length)))
          expect(performance.now() - started).toBeLessThan(5000)
          return wellFormedParse(r)
        },
      ),
      fuzzParams(30),
    )
  })
})

// Keep the helper honest: a deep JSON text really is that deep and valid.
describe('fuzz helpers', () => {
  it('deepJson builds valid JSON of the requested depth', () => {
    expect(JSON.parse(deepJson(3, 'array'))).toEqual([[[1]]])
    expect(JSON.parse(deepJson(2, 'object'))).toEqual({ a: { a: 1 } })
  })
})
