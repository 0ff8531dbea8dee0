import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { ROBOT_TOPIC } from '../../src/dingtalk/frames.js'
import { deepJsonText, fuzzParams, hostileKey, hostileString, hostileValue, jsonText } from '../helpers/arbitraries.js'
import { startChaosRouter, trapProcessErrors } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { waitIdle } from '../helpers/waits.js'

// Arbitrary bytes on the stream socket (as WebSocket messages, text and binary): the router keeps its
// connection (no reconnect), contains every error, and answers the next message.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

/** A hostile value that may also be a plausible one for that header. */
const headerValue = (plausible: fc.Arbitrary<string>) => fc.oneof(plausible, hostileString(300), hostileValue)

/** JSON frames with random types, headers and data; never a SYSTEM `disconnect` (that one rightly reconnects). */
const jsonFrame = fc
  .record(
    {
      specVersion: fc.oneof(fc.constant('1.0'), hostileValue),
      type: fc.oneof(fc.constantFrom('SYSTEM', 'EVENT', 'CALLBACK', 'system', ''), hostileString(40), hostileValue),
      headers: fc.oneof(
        fc.record(
          {
            topic: headerValue(
              fc.constantFrom(
                ROBOT_TOPIC,
                'ping',
                'CONNECTED',
                'REGISTERED',
                'KEEPALIVE',
                '/v1.0/card/instances/callback',
              ),
            ),
            messageId: headerValue(fc.uuid()),
            contentType: headerValue(fc.constant('application/json')),
            time: headerValue(fc.integer({ min: 0 }).map(String)),
            appId: hostileValue,
            connectionId: hostileValue,
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(hostileKey, hostileValue, { maxKeys: 6 }),
        hostileValue,
      ),
      data: fc.oneof(hostileString(300), hostileValue.map(jsonText), hostileValue, deepJsonText(5000)),
    },
    { requiredKeys: [] },
  )
  .filter((f) => {
    const headers = f.headers as Record<string, unknown> | null | undefined
    const topic = typeof headers === 'object' && headers !== null ? headers.topic : undefined
    return !(typeof f.type === 'string' && f.type === 'SYSTEM' && topic === 'disconnect')
  })
  .map(jsonText)

const rawMessage: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 4000 }).map((a) => Buffer.from(a)),
  hostileString(500),
  fc.string({ unit: 'binary', maxLength: 500 }),
  jsonFrame,
  jsonFrame,
  jsonFrame.map((t) => Buffer.from(t)),
  deepJsonText(20_000),
)

describe('fuzz: arbitrary bytes on the socket', { timeout: 10 * PATIENCE }, () => {
  it('keeps the same connection and keeps answering', async () => {
    const r = await cleanup.router(startChaosRouter())
    const trap = cleanup.add(trapProcessErrors(), (t) => t.stop())
    const connects = r.app.stream.counters.connects
    const accepted = r.sim.stats.connectionsAccepted
    const rejectedBefore = r.app.stream.counters.framesRejected
    let sent = 0
    await fc.assert(
      fc.asyncProperty(fc.array(rawMessage, { minLength: 1, maxLength: 3 }), async (batch) => {
        for (const raw of batch) r.sim.sendRaw(raw)
        sent += batch.length
        // Frames on one socket are handled in order: the pong proves the hostile ones were handled first.
        const pong = await r.say({ text: 'ping', senderStaffId: 'user2' }, PATIENCE)
        expect(pong.text).toBe('pong')
        expect(r.app.stream.counters.connects).toBe(connects)
      }),
      fuzzParams(200, { shrink: false }),
    )
    await waitIdle(r)
    expect(trap.stop()).toEqual([])
    expect(r.app.stream.state).toBe('connected')
    expect(r.sim.stats.connectionsAccepted).toBe(accepted)
    // Most of it was refused at the envelope (and counted), none of it crashed anything.
    expect(r.app.stream.counters.framesRejected - rejectedBefore).toBeGreaterThan(0)
    expect(r.app.stream.counters.framesRejected - rejectedBefore).toBeLessThanOrEqual(sent)
    const escaped = r.logs
      .records()
      .filter((l) => String(l.msg).includes('(contained)') || l.msg === 'pipeline failed outside its error handler')
    expect(escaped).toEqual([])
    expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
  })
})
