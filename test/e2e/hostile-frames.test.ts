import { afterEach, describe, expect, it } from 'vitest'
import { ROBOT_TOPIC } from '../../src/dingtalk/frames.js'
import { buildRobotPayload, lwcpId } from '../../src/simulator/payload.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

function frame(type: string, headers: Record<string, unknown>, data: unknown): string {
  return JSON.stringify({ specVersion: '1.0', type, headers, data })
}

function payloadWithout(key: string): string {
  const { payload } = buildRobotPayload(
    { text: 'ping' },
    {
      now: Date.now(),
      robotCode: 'sim-robot',
      chatbotUserId: lwcpId('bot'),
      sessionTtlMs: 60_000,
      sessionWebhook: 'http://127.0.0.1:1/robot/sendBySession?session=x',
    },
  )
  delete payload[key]
  return JSON.stringify(payload)
}

const callback = (messageId: string | undefined, data: unknown, topic = ROBOT_TOPIC) =>
  frame('CALLBACK', { topic, contentType: 'application/json', ...(messageId ? { messageId } : {}) }, data)

/** Each hostile frame, and whether the stream counts it as rejected at the envelope. */
const HOSTILE: { name: string; raw: string | Buffer; rejected: boolean }[] = [
  { name: 'non-JSON text', raw: 'this is not json {', rejected: true },
  { name: 'binary garbage', raw: Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x22]), rejected: true },
  { name: 'JSON null', raw: 'null', rejected: true },
  { name: 'JSON array', raw: '[1,2,3]', rejected: true },
  {
    name: 'JSON without headers',
    raw: JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', data: '{}' }),
    rejected: true,
  },
  {
    name: 'headers that are a string',
    raw: JSON.stringify({ type: 'CALLBACK', headers: 'x', data: '{}' }),
    rejected: true,
  },
  {
    name: 'data that is an object',
    raw: frame('CALLBACK', { topic: ROBOT_TOPIC, messageId: 'bad-data-type' }, { a: 1 }),
    rejected: true,
  },
  { name: 'unknown type', raw: frame('WHATEVER', { topic: 'x', messageId: 'unknown-type-1' }, '{}'), rejected: true },
  { name: 'CALLBACK without messageId header', raw: callback(undefined, payloadWithout('nothing')), rejected: true },
  { name: 'CALLBACK whose data is not JSON', raw: callback('cb-not-json', 'not json at all'), rejected: false },
  {
    name: 'CALLBACK whose payload has no msgId',
    raw: callback('cb-no-msgid', payloadWithout('msgId')),
    rejected: false,
  },
  {
    name: 'CALLBACK whose payload has no sessionWebhook',
    raw: callback('cb-no-webhook', payloadWithout('sessionWebhook')),
    rejected: false,
  },
  {
    name: 'CALLBACK on another topic',
    raw: callback('cb-other-topic', '{}', '/v1.0/card/instances/callback'),
    rejected: false,
  },
  {
    name: 'EVENT with non-JSON data',
    raw: frame('EVENT', { topic: 'chat_update', messageId: 'ev-1', eventType: 'x' }, '<xml/>'),
    rejected: false,
  },
  {
    name: 'SYSTEM with an unknown topic',
    raw: frame('SYSTEM', { topic: 'SURPRISE', messageId: 'sys-1' }, '{}'),
    rejected: false,
  },
  {
    name: 'SYSTEM ping with non-JSON data',
    raw: frame('SYSTEM', { topic: 'ping', messageId: 'sys-ping-1' }, 'opaque?'),
    rejected: false,
  },
  { name: 'oversized frame (> 1 MiB)', raw: callback('cb-huge', 'x'.repeat(1024 * 1024 + 10)), rejected: true },
]

describe('malformed frames are survived', () => {
  let r: TestRouter

  it('drops each hostile frame and keeps answering on the same connection', async () => {
    r = await cleanup.router(startTestRouter())
    const uncaught: unknown[] = []
    const onError = (err: unknown) => uncaught.push(err)
    process.on('uncaughtException', onError)
    process.on('unhandledRejection', onError)
    cleanup.add(onError, (fn) => {
      process.off('uncaughtException', fn)
      process.off('unhandledRejection', fn)
    })
    const connects = r.app.stream.counters.connects
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')

    for (const hostile of HOSTILE) {
      const rejectedBefore = r.app.stream.counters.framesRejected
      r.sim.sendRaw(hostile.raw)
      // Frames on one socket are handled in order: the pong proves the hostile frame was handled first.
      const reply = await r.say('ping', PATIENCE)
      expect(reply.text, hostile.name).toBe('pong')
      expect(r.app.stream.counters.connects, `${hostile.name}: no reconnect`).toBe(connects)
      expect(r.app.stream.state, hostile.name).toBe('connected')
      expect(r.app.stream.counters.framesRejected - rejectedBefore, `${hostile.name}: rejected at the envelope`).toBe(
        hostile.rejected ? 1 : 0,
      )
    }

    expect(uncaught).toEqual([])
    expect(r.sim.stats.connectionsAccepted).toBe(1)
    // Hostile robot callbacks carrying a messageId are acked so the gateway does not redeliver them forever.
    const invalidPayloads = r.logs.records().filter((l) => l.msg === 'dropped a robot callback with an invalid payload')
    expect(invalidPayloads.map((l) => l.messageId)).toEqual(['cb-not-json', 'cb-no-msgid', 'cb-no-webhook'])
    const metrics = await r.app.services.metrics.registry.getSingleMetricAsString('router_malformed_frames_total')
    expect(metrics).toMatch(/router_malformed_frames_total \d+/)
    expect(Number(/router_malformed_frames_total (\d+)/.exec(metrics)![1])).toBe(
      HOSTILE.filter((h) => h.rejected).length + 3,
    )
    // Nothing was answered except the pings.
    expect(r.sim.replies.every((x) => x.text === 'pong')).toBe(true)
  })
})
