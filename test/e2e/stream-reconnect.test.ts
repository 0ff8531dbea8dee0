import { afterEach, describe, expect, it } from 'vitest'
import type { RouterConfig } from '../../src/config.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, type TestRouter, type TestRouterOptions, startSimulator } from '../helpers/router.js'
import { waitForState, waitForReconnect } from '../helpers/waits.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

async function router(opts: TestRouterOptions): Promise<TestRouter> {
  return cleanup.router(startTestRouter(opts))
}

const timings =
  (t: Partial<RouterConfig['dingtalk']>) =>
  (c: RouterConfig): RouterConfig => ({ ...c, dingtalk: { ...c.dingtalk, ...t } })

describe('the stream reconnects without losing messages', () => {
  it('after the gateway drops the socket', async () => {
    const r = await router({})
    const connects = r.app.stream.counters.connects
    r.sim.dropConnections()
    // Sent during the gap: the gateway queues them until a connection takes them.
    const during = [r.sim.sendMessage({ text: 'ping' }), r.sim.sendMessage({ text: 'help' })]
    await waitForReconnect(r.app, connects)
    const replies = await Promise.all(during.map((m) => r.sim.waitForReply({ msgId: m.msgId }, PATIENCE)))
    expect(replies[0]!.text).toBe('pong')
    expect(replies[1]!.title).toBe('What I can do')
    expect(r.app.stream.counters.connects).toBe(connects + 1)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
  })

  it('at once on a SYSTEM disconnect frame, without waiting for the socket to close', async () => {
    // The gateway would close the socket only 30 s later: a reconnect within the test proves the frame was honoured.
    const sim = await startSimulator(cleanup, { disconnectCloseDelayMs: 30_000 })
    const r = await router({ sim })
    const connects = r.app.stream.counters.connects
    sim.sendDisconnect('rebalancing')
    const during = sim.sendMessage({ text: 'ping' })
    await waitForReconnect(r.app, connects)
    expect((await sim.waitForReply({ msgId: during.msgId }, PATIENCE)).text).toBe('pong')
    expect(r.app.stream.counters.connects).toBe(connects + 1)
    const ended = r.logs.records().find((l) => l.msg === 'stream connection ended; reconnecting')
    expect(ended?.reason).toBe('disconnect-frame')
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
  })

  it('replaces a zombie socket (no frames, no pongs)', async () => {
    const r = await router({ configure: timings({ livenessIntervalMs: 300 }) })
    const connects = r.app.stream.counters.connects
    r.sim.setZombie(true)
    const during = r.sim.sendMessage({ text: 'ping' })
    await waitForReconnect(r.app, connects)
    expect((await r.sim.waitForReply({ msgId: during.msgId }, PATIENCE)).text).toBe('pong')
    const ended = r.logs.records().find((l) => l.msg === 'stream connection ended; reconnecting')
    expect(ended?.reason).toBe('liveness')
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
  })

  it('backs off while the gateway refuses, then reconnects when it accepts again', async () => {
    const sim = await startSimulator(cleanup)
    sim.setRefuseConnections(true)
    const r = await router({ sim, connect: false, configure: timings({ reconnectBaseMs: 100, reconnectMaxMs: 1000 }) })
    const states: string[] = []
    r.app.stream.on('state', (s: string) => states.push(s))
    const before = sim.stats.openCalls
    const started = Date.now()
    // A measurement window, not a synchronisation wait: count registration calls over ~2 s.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const calls = sim.stats.openCalls - before
    const elapsed = Date.now() - started
    expect(calls, `${calls} calls in ${elapsed} ms`).toBeLessThanOrEqual(12)
    expect(calls).toBeGreaterThanOrEqual(2)
    expect(states).not.toContain('connected')
    expect(r.app.stream.counters.connects).toBe(0)
    expect(sim.stats.openRefused).toBe(sim.stats.openCalls)

    sim.setRefuseConnections(false)
    await waitForState(r.app, 'connected', PATIENCE)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    expect(r.app.stream.counters.connects).toBe(1)
    const failures = r.logs
      .records()
      .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('stream connect failed'))
    expect(failures.length).toBeGreaterThanOrEqual(2)
  })

  it('says what to fix when the gateway rejects the credentials, and keeps the secret out of the logs', async () => {
    const sim = await startSimulator(cleanup)
    const r = await router({
      sim,
      connect: false,
      env: { DINGTALK_CLIENT_SECRET: 'wrong-secret-5f2a9c' },
      configure: timings({ reconnectBaseMs: 200, reconnectMaxMs: 1000 }),
    })
    const line = await r.logs.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.includes('check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET'),
      PATIENCE,
    )
    expect(line.level).toBe(40)
    expect(r.app.stream.state).not.toBe('connected')
    expect(r.logs.lines.join('\n')).not.toContain('wrong-secret-5f2a9c')
  })
})
