import { afterEach, describe, expect, it } from 'vitest'
import { STALE_REPLY } from '../helpers/english-texts.js'
import { skills as realSkills } from '../../skills/index.js'
import { ReplyCounter } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { queueConfig } from '../helpers/limits.js'
import { scrape } from '../helpers/metrics.js'
import { startTestRouter } from '../helpers/router.js'
import { gatedSkill, concurrencyProbe } from '../helpers/test-skills.js'
import { waitAllAcked, waitForEvent } from '../helpers/waits.js'
import { PATIENCE } from '../helpers/patience.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())
// A 2,000-message burst on a loaded machine: half again the suite's usual bound.
const BURST_PATIENCE = 1.5 * PATIENCE

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
    const m = await scrape(r.httpUrl)
    expect(m.get('router_queue_stale_total')).toBe(1)
    expect(r.app.services.events.list({ route: 'queue' })).toMatchObject([{ code: 'stale', count: 1 }])
  })
})
