import { afterEach, describe, expect, it } from 'vitest'
import { STALE_REPLY } from '../helpers/english-texts.js'
import { skills as realSkills } from '../../skills/index.js'
import { ReplyCounter } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { queueConfig } from '../helpers/limits.js'
import { scrape } from '../helpers/metrics.js'
import { OP1, OPS, startTestRouter, type TestRouter, withoutMentions } from '../helpers/router.js'
import { gatedSkill, concurrencyProbe } from '../helpers/test-skills.js'
import { waitAllAcked, waitForEvent } from '../helpers/waits.js'
import { PATIENCE } from '../helpers/patience.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())
// A 2,000-message burst on a loaded machine: half again the suite's usual bound.
const BURST_PATIENCE = 1.5 * PATIENCE

/** router_errors_total summed over every route, as an alert on the whole router reads it. */
function errorsTotal(m: Map<string, number>): number {
  let sum = 0
  for (const [key, value] of m) if (key.startsWith('router_errors_total{')) sum += value
  return sum
}

/** Resolves once `n` messages are counted in the error rate (a message is counted just after its reply). */
function counted(r: TestRouter, n: number): Promise<void> {
  const s = r.app.services
  return waitForEvent(
    r.app.inbound,
    'done',
    () => s.usage.errorRate(s.now()).messages === n,
    PATIENCE,
    () => `${s.usage.errorRate(s.now()).messages} of ${n} messages counted`,
  )
}

/** The error rate GET /status reports: what /status, /runbook and the known-good gate read too. */
async function statusErrorRate(r: TestRouter): Promise<Record<string, number>> {
  return ((await (await fetch(`${r.httpUrl}/status`)).json()) as { errorRate: Record<string, number> }).errorRate
}

describe('the inbox is the queue', { timeout: 2 * BURST_PATIENCE }, () => {
  it('runs a 2,000-message burst on exactly the pool, answers every message once', async () => {
    const POOL = 8
    const N = 2000
    const { probe, skills, open } = concurrencyProbe(['qa', 'qb'])
    const r = await cleanup.router(
      startTestRouter({ skills: [...realSkills, ...skills], configure: queueConfig(POOL) }),
    )
    const before = await scrape(r.httpUrl)
    // Present from zero, before any message.
    for (const name of ['router_queue_depth', 'router_queue_oldest_wait_seconds', 'router_workers_busy'])
      expect(before.get(name), name).toBe(0)
    expect(before.get('router_workers')).toBe(POOL)

    const counter = cleanup.add(new ReplyCounter(r.sim), (c) => c.stop())
    const sent = Array.from({ length: N }, (_, i) =>
      r.sim.sendMessage({ text: `${i % 2 ? 'qb' : 'qa'} ${i}`, senderStaffId: `u${i % 50}` }),
    )
    // Every message is stored and acked while the whole pool waits at the gate: the burst is rows, not pipelines.
    await waitAllAcked(
      r.sim,
      sent.map((m) => m.messageId),
      BURST_PATIENCE,
    )
    await waitForEvent(
      probe,
      'running',
      () => probe.running === POOL,
      BURST_PATIENCE,
      () => `${probe.running} running`,
    )
    const saturated = await scrape(r.httpUrl)
    expect(saturated.get('router_workers_busy')).toBe(POOL)
    expect(saturated.get('router_queue_depth')).toBe(N - POOL)
    expect(saturated.get('router_queue_oldest_wait_seconds')).toBeGreaterThanOrEqual(0)
    const status = (await (await fetch(`${r.httpUrl}/status`)).json()) as { queue: Record<string, number> }
    expect(status.queue).toMatchObject({ depth: N - POOL, busyWorkers: POOL, workers: POOL })

    open()
    await counter.waitAll(
      sent.map((m) => m.msgId),
      BURST_PATIENCE,
    )
    expect(probe.peak).toBe(POOL)
    const counts = sent.map((m) => counter.counts.get(m.msgId))
    expect(counts.filter((n) => n !== 1)).toEqual([])
    const byMsg = new Map(r.sim.replies.map((x) => [x.msgId, x.text]))
    expect(sent.filter((m, i) => byMsg.get(m.msgId) !== `done ${i % 2 ? 'qb' : 'qa'} ${i}`)).toEqual([])
  })

  it('keeps answering ping while a hung skill holds its share of the pool', async () => {
    const hung = gatedSkill('hang', 120_000)
    cleanup.add(hung, (h) => h.release('released'))
    const r = await cleanup.router(startTestRouter({ skills: [...realSkills, hung.skill], configure: queueConfig(4) }))
    // Six hung messages against a pool of 4: the skill gets its half (2), the other four wait for it.
    for (let i = 0; i < 6; i++) r.sim.sendMessage({ text: 'hang', senderStaffId: `h${i}` })
    await hung.started()
    for (let i = 0; i < 3; i++) expect((await r.say('ping')).text).toBe('pong')
    expect(hung.pending()).toBe(2)
    const m = await scrape(r.httpUrl)
    expect(m.get('router_workers_busy')).toBe(2)
    expect(m.get('router_queue_depth')).toBe(4)
  })

  it('answers a message that waited past maxQueueAge with "please ask again", not a stale answer', async () => {
    let clock = Date.now()
    const hung = gatedSkill('hang', 120_000)
    cleanup.add(hung, (h) => h.release('released'))
    const r = await cleanup.router(
      startTestRouter({
        skills: [...realSkills, hung.skill],
        configure: queueConfig(2, { maxQueueAge: '1m' }),
        now: () => clock,
      }),
    )
    const before = await scrape(r.httpUrl)
    r.sim.sendMessage({ text: 'hang', senderStaffId: 'h1' })
    await hung.started()
    const late = r.sim.sendMessage({ text: 'hang', senderStaffId: 'h2' })
    // The second waits behind the first (one worker per skill in a pool of 2); then time passes.
    expect((await r.say('ping')).text).toBe('pong')
    clock += 2 * 60_000
    expect((await r.say('ping')).text).toBe('pong')
    const reply = await r.sim.waitForReply({ msgId: late.msgId }, 30_000)
    expect(reply.text).toBe(STALE_REPLY)
    expect(hung.pending()).toBe(1)
    // Two pings and the stale answer; the first `hang` still runs.
    await counted(r, 3)
    const m = await scrape(r.httpUrl)
    expect(m.get('router_queue_stale_total')).toBe(1)
    expect(r.app.services.events.list({ route: 'queue' })).toMatchObject([{ code: 'stale', count: 1 }])
    // An error like any other: an alert on router_errors_total sees the stall, and /status agrees.
    expect(errorsTotal(m) - errorsTotal(before)).toBe(1)
    expect(m.get('router_errors_total{route="hang"}')).toBe(1)
    expect(m.get('router_messages_total{route="hang",outcome="stale"}')).toBe(1)
    expect(await statusErrorRate(r)).toMatchObject({ messages: 3, errors: 1 })
  })

  it('counts each stale answer as an error of the route it would have taken, in /metrics and the error rate alike', async () => {
    let clock = Date.now()
    const hung = gatedSkill('hang', 120_000)
    const stuck = gatedSkill('stuck', 120_000)
    cleanup.add(hung, (h) => h.release('released'))
    cleanup.add(stuck, (h) => h.release('released'))
    const r = await cleanup.router(
      startTestRouter({
        skills: [...realSkills, hung.skill, stuck.skill],
        configure: queueConfig(2, { maxQueueAge: '1m' }),
        now: () => clock,
      }),
    )
    const before = await scrape(r.httpUrl)
    // Primed: a stall's first stale answer to a text that names nothing is a rise from 0, not a new series.
    expect(before.get('router_errors_total{route="unrouted"}')).toBe(0)
    r.sim.sendMessage({ text: 'hang', senderStaffId: 'h1' })
    r.sim.sendMessage({ text: 'stuck', senderStaffId: 'h2' })
    await Promise.all([hung.started(), stuck.started()])
    // Both workers are held: these wait in the queue, stored (and acked) before time passes.
    const late = [
      r.sim.sendMessage({ text: 'hang', senderStaffId: 'h3' }),
      r.sim.sendMessage({ text: '/status', senderStaffId: OP1.staffId, conversationId: OPS }),
      r.sim.sendMessage({ text: 'no skill answers this', senderStaffId: 'h4' }),
      r.sim.sendMessage({ text: '/no-such-command', senderStaffId: 'h5' }),
    ]
    await waitAllAcked(
      r.sim,
      late.map((m) => m.messageId),
      PATIENCE,
    )
    clock += 2 * 60_000
    stuck.release('unstuck')
    for (const m of late)
      expect(withoutMentions(await r.sim.waitForReply({ msgId: m.msgId }, PATIENCE))).toBe(STALE_REPLY)
    // `stuck` answered and the four stale answers; the first `hang` still runs.
    await counted(r, 5)
    const m = await scrape(r.httpUrl)
    const stale = m.get('router_queue_stale_total')
    expect(stale).toBe(4)
    expect(errorsTotal(m) - errorsTotal(before)).toBe(stale)
    // The skill it matched, the command it named, and `unrouted` for the rest (a made-up command included).
    expect(m.get('router_errors_total{route="hang"}')).toBe(1)
    expect(m.get('router_errors_total{route="/status"}')).toBe(1)
    expect(m.get('router_errors_total{route="unrouted"}')).toBe(2)
    expect(m.get('router_errors_total{route="stuck"}')).toBe(0)
    expect([...m.keys()].filter((k) => k.includes('no-such-command'))).toEqual([])
    expect(await statusErrorRate(r)).toMatchObject({ messages: 5, errors: 4 })
    expect(r.app.services.usage.errorRate(r.app.services.now())).toMatchObject({ messages: 5, errors: 4 })
  })
})
