import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import type { SimMessageInput } from '../../src/simulator/index.js'
import { fuzzParams, hostileKey, hostileString, hostileValue } from '../helpers/arbitraries.js'
import { internalErrorLines, startChaosRouter, trapProcessErrors } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, OPS, type TestRouter } from '../helpers/router.js'
import { waitIdle } from '../helpers/waits.js'

// The whole pipeline under arbitrary robot payloads and command texts, sent through the simulator and the
// real SDK: the router never crashes, never reconnects because of a message, answers each message at most
// once, and a `ping` right after each one still gets `pong`.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const MSGTYPES = [
  'text',
  'audio',
  'picture',
  'richText',
  'file',
  'video',
  'markdown',
  'interactiveCard',
  'chatRecord',
  'unknownMsgType',
]
const PAYLOAD_FIELDS = [
  'msgId',
  'conversationId',
  'conversationType',
  'conversationTitle',
  'senderStaffId',
  'senderId',
  'senderNick',
  'msgtype',
  'text',
  'content',
  'chatbotUserId',
  'robotCode',
  'createAt',
  'sessionWebhookExpiredTime',
  'isAdmin',
  'atUsers',
  'isInAtList',
]

/** A robot message with hostile text, type, sender, conversation and any payload fields overwritten. */
const hostileMessage: fc.Arbitrary<SimMessageInput> = fc.record(
  {
    text: fc.oneof(hostileString(300), fc.constantFrom('ping', 'help', '/status', '/whoami', ' ping ', 'PING')),
    msgtype: fc.oneof(fc.constantFrom(...MSGTYPES), hostileString(20)),
    content: hostileValue,
    senderStaffId: fc.oneof(fc.constantFrom('user1', OP1.staffId, null), hostileString(20)),
    senderNick: hostileString(40),
    conversationId: fc.oneof(fc.constantFrom(OPS, 'cid-group-1'), hostileString(20)),
    conversationType: fc.constantFrom('1' as const, '2' as const),
    isAdmin: fc.boolean(),
    // The session webhook is left alone: a reply must be able to arrive (SSRF variants are the security suite's).
    extra: fc
      .dictionary(fc.oneof(fc.constantFrom(...PAYLOAD_FIELDS), hostileKey), hostileValue, { maxKeys: 4 })
      .map((extra) => Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'sessionWebhook'))),
  },
  { requiredKeys: [] },
)

/**
 * An operator's command line in the admin group with hostile words. Lines that mention `ping` are left out:
 * `/disable-skill ping` would be a legitimate order, and the liveness check below pings.
 */
const operatorLine = fc
  .tuple(
    fc.oneof(fc.constantFrom(...commands.map((c) => c.name)), hostileString(12)),
    fc.array(
      fc.oneof(
        hostileString(30),
        fc.tuple(hostileKey, hostileString(20)).map(([k, v]) => `${k}=${v}`),
        fc.stringMatching(/^[a-z2-7]{10}$/),
      ),
      { maxLength: 6 },
    ),
    fc.constantFrom('', ' ', '\n', '  \t'),
  )
  .map(([name, words, lead]) => `${lead}/${name} ${words.join(' ')}`)
  .filter((line) => !/ping/i.test(line))

async function fuzzRouter(): Promise<{ r: TestRouter; stopTrap: () => unknown[] }> {
  const r = await cleanup.router(startChaosRouter())
  const trap = trapProcessErrors()
  cleanup.add(trap, (t) => t.stop())
  return { r, stopTrap: () => trap.stop() }
}

/** Sends one hostile message, then a ping that must be answered; returns the hostile message's msgId. */
async function sendThenPing(r: TestRouter, input: SimMessageInput): Promise<string> {
  const sent = r.sim.sendMessage(input)
  const pong = await r.say({ text: 'ping', senderStaffId: 'user2' }, PATIENCE)
  expect(pong.text).toBe('pong')
  return sent.msgId
}

/** The checks after a fuzz run: nothing escaped, nothing reconnected, nothing answered twice, audit intact. */
async function expectSurvived(
  r: TestRouter,
  msgIds: string[],
  connects: number,
  stopTrap: () => unknown[],
): Promise<void> {
  await waitIdle(r)
  expect(stopTrap()).toEqual([])
  expect(internalErrorLines(r)).toEqual([])
  expect(r.app.stream.counters.connects).toBe(connects)
  expect(r.app.stream.state).toBe('connected')
  const twice = msgIds.filter((id) => r.sim.replies.filter((x) => x.msgId === id && x.kind === 'webhook').length > 1)
  expect(twice).toEqual([])
  expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
  expect(r.app.services.inbox.pending()).toEqual([])
}

describe('fuzz: the whole pipeline', { timeout: 10 * PATIENCE }, () => {
  it('survives arbitrary robot payloads (type, text, sender, conversation, extra fields)', async () => {
    const { r, stopTrap } = await fuzzRouter()
    const connects = r.app.stream.counters.connects
    const msgIds: string[] = []
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (input) => {
        msgIds.push(await sendThenPing(r, input))
      }),
      fuzzParams(150, { shrink: false }),
    )
    await expectSurvived(r, msgIds, connects, stopTrap)
    // The fuzz reached the pipeline, not just the payload check: many were answered, many dropped as invalid.
    const answered = msgIds.filter((id) => r.sim.replies.some((x) => x.msgId === id)).length
    const invalid = r.logs.records().filter((l) => l.msg === 'dropped a robot callback with an invalid payload').length
    console.log(
      `pipeline fuzz: ${msgIds.length} hostile messages, ${answered} answered, ${invalid} dropped as invalid payloads`,
    )
    expect(answered).toBeGreaterThan(msgIds.length / 10)
    expect(invalid).toBeGreaterThan(0)
  })

  it('survives arbitrary command lines from an operator in the admin group and from strangers', async () => {
    const { r, stopTrap } = await fuzzRouter()
    const connects = r.app.stream.counters.connects
    const msgIds: string[] = []
    const sender = fc.constantFrom(
      { senderStaffId: OP1.staffId, conversationId: OPS },
      { senderStaffId: OP2.staffId, conversationId: OPS },
      { senderStaffId: 'mallory', conversationId: OPS },
      { senderStaffId: OP1.staffId, conversationId: 'cid-elsewhere' },
    )
    await fc.assert(
      fc.asyncProperty(operatorLine, sender, async (text, from) => {
        msgIds.push(await sendThenPing(r, { text, ...from }))
      }),
      fuzzParams(150, { shrink: false }),
    )
    await expectSurvived(r, msgIds, connects, stopTrap)
    // Every command line got exactly one answer (commands always answer something: a result, usage or refusal).
    const unanswered = msgIds.filter((id) => !r.sim.replies.some((x) => x.msgId === id))
    expect(unanswered).toEqual([])
  })
})
