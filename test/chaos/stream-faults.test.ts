import { afterEach, describe, expect, it } from 'vitest'
import {
  exactlyOnceReport,
  ReplyCounter,
  sendBurstMessage,
  startChaosRouter,
  yieldToIo,
  type BurstMessage,
} from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import type { TestRouter } from '../helpers/router.js'
import { waitForReconnect, waitAllAcked, waitForEvent, waitIdle } from '../helpers/waits.js'

// Stream faults in the middle of a burst: every message still gets exactly one (correct) reply, nothing is
// left pending in the inbox, and the audit chain (written to by the operators' /whoami) verifies.

const TOTAL = 300
/** Messages sent per turn of the event loop: the burst is spread out so faults land on frames in flight. */
const CHUNK = 5

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

interface Fault {
  /** Inject the fault; returns what to await before the burst goes on (the recovery). */
  inject(): Promise<void>
}

/**
 * Sends TOTAL burst messages. After every `every`-th one it injects the fault, sends `gap` more while the
 * fault holds (they wait in the gateway or are redelivered), then waits for the recovery before going on.
 */
async function runBurst(
  r: TestRouter,
  plan: { every: number; gap: number; fault: Fault },
): Promise<{ sent: BurstMessage[]; faults: number }> {
  const sent: BurstMessage[] = []
  let faults = 0
  const send = () => sent.push(sendBurstMessage(r.sim, sent.length))
  while (sent.length < TOTAL) {
    send()
    if (sent.length % CHUNK === 0) await yieldToIo()
    if (sent.length % plan.every === 0 && sent.length < TOTAL) {
      const recovered = plan.fault.inject()
      faults++
      for (let i = 0; i < plan.gap && sent.length < TOTAL; i++) send()
      await recovered
    }
  }
  return { sent, faults }
}

/** Waits until the burst is fully answered and acked, then checks exactly-once. */
async function settleAndCheck(r: TestRouter, sent: BurstMessage[], counter: ReplyCounter): Promise<void> {
  await counter.waitAll(sent.map((m) => m.msgId))
  // Once every frame is acked nothing is redelivered any more; the ping after it is the last word.
  await waitAllAcked(
    r.sim,
    sent.map((m) => m.messageId),
  )
  expect((await r.say('ping', PATIENCE)).text).toBe('pong')
  await waitIdle(r)
  const report = exactlyOnceReport(r, sent, counter)
  expect(report).toEqual({
    lost: 0,
    duplicated: 0,
    wrong: [],
    pending: 0,
    audit: { ok: true, count: expect.any(Number), head: expect.objectContaining({ seq: expect.any(Number) }) },
  })
  // The operators' commands were audited as they ran, each exactly once.
  const whoami = [...r.app.services.audit.entries()].filter((e) => e.action === 'whoami' && e.outcome === 'executed')
  expect(whoami).toHaveLength(sent.filter((m) => m.kind === 'whoami').length)
}

/** A fault that waits for the router's next successful connect as its recovery. */
function reconnectAfter(r: TestRouter, act: () => void): Fault {
  return {
    inject() {
      const before = r.app.stream.counters.connects
      act()
      return waitForReconnect(r.app, before, PATIENCE)
    },
  }
}

describe('chaos: stream faults mid-burst lose nothing and duplicate nothing', { timeout: 5 * PATIENCE }, () => {
  it('the gateway drops the connection every 30 messages', async () => {
    const r = await cleanup.router(startChaosRouter())
    const counter = cleanup.add(new ReplyCounter(r.sim), (c) => c.stop())
    const connects = r.app.stream.counters.connects
    const { sent, faults } = await runBurst(r, {
      every: 30,
      gap: 5,
      fault: reconnectAfter(r, () => r.sim.dropConnections()),
    })
    await settleAndCheck(r, sent, counter)
    expect(faults).toBe(9)
    expect(r.app.stream.counters.connects - connects).toBeGreaterThanOrEqual(faults)
    // Frames lost with a dropped socket came again: the gateway redelivered what was never acked.
    expect(sent.some((m) => r.sim.deliveries(m.msgId) > 1)).toBe(true)
  })

  it('the gateway sends SYSTEM disconnect frames every 40 messages', async () => {
    const r = await cleanup.router(startChaosRouter())
    const counter = cleanup.add(new ReplyCounter(r.sim), (c) => c.stop())
    const connects = r.app.stream.counters.connects
    const { sent, faults } = await runBurst(r, {
      every: 40,
      gap: 5,
      fault: reconnectAfter(r, () => r.sim.sendDisconnect('chaos rebalancing')),
    })
    await settleAndCheck(r, sent, counter)
    expect(faults).toBe(7)
    expect(r.app.stream.counters.connects - connects).toBeGreaterThanOrEqual(faults)
    const reasons = r.logs
      .records()
      .filter((l) => l.msg === 'stream connection ended; reconnecting')
      .map((l) => l.reason)
    expect(reasons.filter((x) => x === 'disconnect-frame').length).toBeGreaterThanOrEqual(faults)
  })

  it('the socket turns zombie (open, no frames, no pongs) twice', async () => {
    const r = await cleanup.router(startChaosRouter({ dingtalk: { livenessIntervalMs: 250 } }))
    const counter = cleanup.add(new ReplyCounter(r.sim), (c) => c.stop())
    const { sent, faults } = await runBurst(r, {
      every: 100,
      gap: 10,
      fault: reconnectAfter(r, () => r.sim.setZombie(true)),
    })
    await settleAndCheck(r, sent, counter)
    expect(faults).toBe(2)
    const reasons = r.logs
      .records()
      .filter((l) => l.msg === 'stream connection ended; reconnecting')
      .map((l) => l.reason)
    expect(reasons.filter((x) => x === 'liveness').length).toBeGreaterThanOrEqual(faults)
  })

  it('the gateway refuses new connections for a while, twice', async () => {
    const r = await cleanup.router(startChaosRouter())
    const counter = cleanup.add(new ReplyCounter(r.sim), (c) => c.stop())
    let backoffs = 0
    r.app.stream.on('state', (s: string) => {
      if (s === 'backoff') backoffs++
    })
    const refuseAWhile: Fault = {
      async inject() {
        const before = r.app.stream.counters.connects
        const refusedBefore = r.sim.stats.openRefused
        const backoffsBefore = backoffs
        r.sim.setRefuseConnections(true)
        r.sim.dropConnections()
        // "A while" is counted in refused attempts, not in milliseconds: three refusals, each followed by a backoff.
        await waitForEvent(
          r.app.stream,
          'state',
          () => backoffs - backoffsBefore >= 4 && r.sim.stats.openRefused - refusedBefore >= 3,
          PATIENCE,
          () => `backoffs ${backoffs - backoffsBefore}, refused ${r.sim.stats.openRefused - refusedBefore}`,
        )
        expect(r.app.stream.connected).toBe(false)
        r.sim.setRefuseConnections(false)
        await waitForReconnect(r.app, before, PATIENCE)
      },
    }
    const { sent, faults } = await runBurst(r, { every: 100, gap: 20, fault: refuseAWhile })
    await settleAndCheck(r, sent, counter)
    expect(faults).toBe(2)
    expect(r.sim.stats.openRefused).toBeGreaterThanOrEqual(6)
  })
})
