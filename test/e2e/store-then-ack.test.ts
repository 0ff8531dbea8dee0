import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { skills as realSkills } from '../../skills/index.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, type TestRouter, startSimulator } from '../helpers/router.js'
import { tempDir } from '../helpers/temp-dir.js'
import { countingSkill, gatedSkill } from '../helpers/test-skills.js'
import { waitForAck, waitForReconnect } from '../helpers/waits.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

function router(r: Promise<TestRouter>): Promise<TestRouter> {
  return cleanup.router(r)
}

describe('the ack never waits for a skill', () => {
  it('acks a message while its slow skill is still running, then replies when it finishes', async () => {
    const slow = gatedSkill('slow')
    const r = await router(startTestRouter({ skills: [...realSkills, slow.skill] }))
    cleanup.add(slow, (s) => s.release('released by cleanup'))
    const sent = r.sim.sendMessage({ text: 'slow' })
    const ackedAt = await waitForAck(r.sim, sent.messageId)
    await slow.started()
    expect(r.sim.isAcked(sent.messageId)).toBe(true)
    expect(slow.pending()).toBe(1)
    expect(r.sim.replies.filter((x) => x.msgId === sent.msgId)).toHaveLength(0)

    slow.release('slow done')
    const reply = await r.sim.waitForReply({ msgId: sent.msgId }, PATIENCE)
    expect(reply.text).toBe('slow done')
    expect(ackedAt).toBeLessThanOrEqual(reply.at)
    expect(r.sim.deliveries(sent.msgId)).toBe(1)
  })
})

describe('a message runs once', () => {
  it('runs a msgId delivered twice only once, with one reply', async () => {
    const counter = countingSkill()
    const r = await router(startTestRouter({ skills: [...realSkills, counter.skill] }))
    const first = r.sim.sendMessage({ text: 'count', msgId: 'dup-1' })
    const second = r.sim.sendMessage({ text: 'count', msgId: 'dup-1' })
    // Both deliveries are acked: the second one was seen and deliberately not run.
    await Promise.all([waitForAck(r.sim, first.messageId), waitForAck(r.sim, second.messageId)])
    expect((await r.sim.waitForReply({ msgId: 'dup-1' }, PATIENCE)).text).toBe('counted 1')
    expect((await r.say('ping', PATIENCE)).text).toBe('pong') // barrier: anything pending for dup-1 is done by now
    expect(counter.runs()).toBe(1)
    expect(r.sim.replies.filter((x) => x.msgId === 'dup-1')).toHaveLength(1)
  })

  it('runs a message redelivered after a lost ack only once', async () => {
    const sim = await startSimulator(cleanup, { redeliveryDelayMs: 300, redeliveryCount: 3 })
    const counter = countingSkill()
    const r = await router(
      startTestRouter({
        sim,
        skills: [...realSkills, counter.skill],
        configure: (c) => ({ ...c, dingtalk: { ...c.dingtalk, livenessIntervalMs: 300 } }),
      }),
    )
    const connects = r.app.stream.counters.connects
    const sent = sim.sendMessage({ text: 'count' })
    // The frame is already on its way; from now on the gateway ignores what this socket sends (the ack is lost).
    sim.setZombie(true)
    expect((await sim.waitForReply({ msgId: sent.msgId }, PATIENCE)).text).toBe('counted 1')
    expect(sim.isAcked(sent.messageId)).toBe(false)
    // The router notices the silent socket, reconnects, and the gateway redelivers the same frame there.
    await waitForReconnect(r.app, connects)
    await waitForAck(sim, sent.messageId)
    expect(sim.deliveries(sent.msgId)).toBeGreaterThanOrEqual(2)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    expect(counter.runs()).toBe(1)
    expect(sim.replies.filter((x) => x.msgId === sent.msgId)).toHaveLength(1)
  })

  it('does not run a message again after a restart on the same database', async () => {
    const sim = await startSimulator(cleanup)
    const dir = tempDir()
    const counter = countingSkill()
    const skills = [...realSkills, counter.skill]

    const a = await router(startTestRouter({ sim, dir, skills }))
    expect((await a.say({ text: 'count', msgId: 'restart-1' }, PATIENCE)).text).toBe('counted 1')
    await a.stop()

    const b = await router(startTestRouter({ sim, dir, skills }))
    const again = sim.sendMessage({ text: 'count', msgId: 'restart-1' })
    await waitForAck(sim, again.messageId)
    expect((await b.say('ping', PATIENCE)).text).toBe('pong')
    expect(counter.runs()).toBe(1)
    expect(sim.replies.filter((x) => x.msgId === 'restart-1')).toHaveLength(1)
  })

  it('answers after a restart a message that was stored but not answered', async () => {
    const sim = await startSimulator(cleanup)
    const dir = tempDir()
    const counter = countingSkill()
    const skills = [...realSkills, counter.skill]
    // A first run creates and migrates the database.
    const a = await router(startTestRouter({ sim, dir, skills }))
    await a.stop()

    // A message the last run stored and acked but never answered (as after a crash): only a pending inbox row.
    // Its session webhook lives on a second simulator that never delivers anything over a stream.
    const other = await startSimulator(cleanup)
    const orphan = other.sendMessage({ text: 'count', msgId: 'orphan-1' })
    const db = new Database(`${dir}/router.db`)
    db.prepare("INSERT INTO inbox (msg_id, received_at, payload, status) VALUES (?, ?, ?, 'pending')").run(
      'orphan-1',
      Date.now(),
      JSON.stringify(orphan.payload),
    )
    db.close()

    const b = await router(
      startTestRouter({ sim, dir, skills, env: { DINGTALK_WEBHOOK_HOSTS: `${sim.webhookHost},${other.webhookHost}` } }),
    )
    const reply = await other.waitForReply({ msgId: 'orphan-1' }, PATIENCE)
    expect(reply.text).toBe('counted 1')
    expect(other.deliveries('orphan-1')).toBe(0)
    expect((await b.say('ping', PATIENCE)).text).toBe('pong')
    // The reply goes out before the row is marked done; by the barrier's reply the orphan is long done.
    expect(b.app.services.inbox.pending().map((m) => m.msgId)).not.toContain('orphan-1')
    expect(counter.runs()).toBe(1)

    // And it is not resumed a second time by the next start.
    await b.stop()
    const c = await router(
      startTestRouter({ sim, dir, skills, env: { DINGTALK_WEBHOOK_HOSTS: `${sim.webhookHost},${other.webhookHost}` } }),
    )
    expect((await c.say('ping', PATIENCE)).text).toBe('pong')
    expect(counter.runs()).toBe(1)
    expect(other.replies).toHaveLength(1)
  })
})

describe('a graceful stop', () => {
  it('finishes the message in flight, leaves new ones un-acked, and the next run answers them', async () => {
    const sim = await startSimulator(cleanup, { redeliveryDelayMs: 300, redeliveryCount: 50 })
    const dir = tempDir()
    const slow = gatedSkill('slow')
    const skills = [...realSkills, slow.skill]
    const a = await router(startTestRouter({ sim, dir, skills }))
    cleanup.add(slow, (s) => s.release('released by cleanup'))
    const inFlight = sim.sendMessage({ text: 'slow' })
    await slow.started()

    const stopping = a.stop()
    // Arrives while draining (or after the socket closed): either way it must not be acked by this run.
    const late = sim.sendMessage({ text: 'ping' })
    slow.release('finished while stopping')
    expect((await sim.waitForReply({ msgId: inFlight.msgId }, PATIENCE)).text).toBe('finished while stopping')
    await stopping
    expect(sim.isAcked(late.messageId)).toBe(false)
    expect(sim.replies.filter((x) => x.msgId === late.msgId)).toHaveLength(0)

    const check = new Database(`${dir}/router.db`, { readonly: true })
    const last = check.prepare('SELECT action, args FROM audit ORDER BY seq DESC LIMIT 1').get()
    const pending = check.prepare("SELECT COUNT(*) FROM inbox WHERE status = 'pending'").pluck().get()
    check.close()
    expect(last).toEqual({ action: 'stop', args: '{"reason":"test"}' })
    expect(pending).toBe(0)

    const b = await router(startTestRouter({ sim, dir, skills }))
    expect((await sim.waitForReply({ msgId: late.msgId }, PATIENCE)).text).toBe('pong')
    await waitForAck(sim, late.messageId)
    expect((await b.say('ping', PATIENCE)).text).toBe('pong')
    expect(sim.replies.filter((x) => x.msgId === inFlight.msgId)).toHaveLength(1)
  })
})
