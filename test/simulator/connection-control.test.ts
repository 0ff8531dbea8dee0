import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import type { DingTalkSimulator, SimulatorOptions } from '../../src/simulator/index.js'
import { connectBot, rawClient, simulatorFixture } from '../helpers/sdk-bot.js'

const T = { timeout: 20_000 }
const fixture = simulatorFixture()
const { bots, sockets } = fixture
let sim: DingTalkSimulator
const startSim = async (opts?: SimulatorOptions): Promise<DingTalkSimulator> => (sim = await fixture.start(opts))

/** Resolves with the payload of the next WebSocket pong. */
function nextPong(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('pong', (d: Buffer) => resolve(d.toString())))
}

describe('connection control', () => {
  it('zombie mode stops pongs and frames; reviving resumes both', T, async () => {
    await startSim()
    const c = await rawClient(sim)
    sockets.push(c.ws)
    const pongs: string[] = []
    c.ws.on('pong', (d: Buffer) => pongs.push(d.toString()))

    let pong = nextPong(c.ws)
    c.ws.ping('a')
    expect(await pong).toBe('a')

    sim.setZombie(true)
    const seen = once(sim, 'ws-ping')
    c.ws.ping('b')
    expect((await seen)[0]).toMatchObject({ answered: false })
    const sent = sim.sendMessage({ text: 'held back' })
    expect(sim.deliveries(sent.msgId)).toBe(0)
    expect(sim.connectionCount).toBe(1)

    sim.setZombie(false)
    pong = nextPong(c.ws)
    c.ws.ping('c')
    // TCP keeps order: had 'b' been answered, its pong would have arrived before 'c'.
    expect(await pong).toBe('c')
    expect(pongs).toEqual(['a', 'c'])
    expect(JSON.parse(await c.next())).toMatchObject({ type: 'CALLBACK', headers: { messageId: sent.messageId } })
  })

  it('a new connection is healthy while the old one is a zombie', T, async () => {
    await startSim()
    const old = await rawClient(sim)
    sockets.push(old.ws)
    sim.setZombie(true)
    const sent = sim.sendMessage({ text: 'to the new one' })
    const bot = await connectBot(sim)
    bots.push(bot)
    expect(JSON.parse((await bot.frame(1)).data)).toMatchObject({ msgId: sent.msgId })
    expect(old.messages).toEqual([])
  })

  it('survives garbage in both directions', T, async () => {
    await startSim()
    const c = await rawClient(sim)
    sockets.push(c.ws)
    sim.sendRaw('this is not json')
    sim.sendRaw(Buffer.from([0xff, 0x00, 0x7b]))
    expect(await c.next()).toBe('this is not json')
    await c.next()
    for (const junk of [
      '{{{',
      'null',
      '[]',
      '{"code":200}',
      '{"code":200,"headers":null}',
      '{"code":200,"headers":{"messageId":42}}',
      '{"code":200,"headers":{"messageId":"unknown"}}',
    ])
      c.ws.send(junk)
    c.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]))

    const acked = once(sim, 'ack')
    const sent = sim.sendMessage({ text: 'still alive?' })
    const frame = JSON.parse(await c.next()) as { headers: { messageId: string } }
    c.ws.send(
      JSON.stringify({
        code: 200,
        headers: { contentType: 'application/json', messageId: frame.headers.messageId },
        message: 'OK',
        data: '{}',
      }),
    )
    await acked
    expect(sim.isAcked(sent.messageId)).toBe(true)
  })

  it('sendDisconnect drains: frame now, no more deliveries, TCP closed later', T, async () => {
    await startSim({ disconnectCloseDelayMs: 200 })
    const c = await rawClient(sim)
    sockets.push(c.ws)
    const closed = once(c.ws, 'close')
    sim.sendDisconnect('upgrade')
    expect(JSON.parse(await c.next())).toMatchObject({
      type: 'SYSTEM',
      headers: { topic: 'disconnect' },
      data: JSON.stringify({ reason: 'upgrade' }),
    })
    const sent = sim.sendMessage({ text: 'after drain' })
    expect(sim.deliveries(sent.msgId)).toBe(0)
    await closed
    const bot = await connectBot(sim)
    bots.push(bot)
    expect(JSON.parse((await bot.frame(1)).data)).toMatchObject({ msgId: sent.msgId })
  })

  it('dropConnections kills sockets without a close frame', T, async () => {
    await startSim()
    const c = await rawClient(sim)
    sockets.push(c.ws)
    const closed = once(c.ws, 'close')
    sim.dropConnections()
    const [code] = (await closed) as [number]
    expect(code).toBe(1006)
    expect(sim.connectionCount).toBe(0)
  })

  it('waitForConnection resolves on connect and rejects on timeout', T, async () => {
    await startSim()
    await expect(sim.waitForConnection(50)).rejects.toThrow(/no stream connection/)
    const waiting = sim.waitForConnection(10_000)
    const c = await rawClient(sim)
    sockets.push(c.ws)
    await waiting
    await sim.waitForConnection(1)
  })

  it('stop is idempotent and rejects pending waiters', T, async () => {
    await startSim()
    const pending = sim.waitForReply({ msgId: 'never' }, 10_000)
    await sim.stop()
    await sim.stop()
    await expect(pending).rejects.toThrow(/stopped/)
  })
})
