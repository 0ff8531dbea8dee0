import Database from 'better-sqlite3'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ReplyCounter, sendBurstMessage, type BurstMessage } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startSimulator } from '../helpers/router.js'
import { ROOT, routerEnv, spawnRouter, type RouterProcess } from '../helpers/router-process.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'
import { waitAllAcked, waitForEvent } from '../helpers/waits.js'

// The real entry point (src/main.ts) is SIGKILLed three times in the middle of a burst and restarted on the
// same database each time, while the simulator redelivers whatever was not acked.
//
// What "exactly one reply" can mean here: the router stores each message before acking it and marks it
// answered right after the sessionWebhook POST returns. A SIGKILL between the webhook receiving the reply and
// the router marking the message answered makes the next run answer it again. DingTalk's webhook has no
// idempotency key, so no client can close that window completely. The test therefore asserts:
// - nothing is lost: every message gets at least one reply, the right one;
// - a second reply only ever happens to a message that the database held as stored-but-unanswered at a kill
//   (read from the SQLite file while the router is dead), at most one extra per such kill;
// and reports how many duplicates it saw. Under a burst that saturates the router this is not 0: the window
// is not the sub-millisecond step from "POST answered" to "marked answered" (measured ≈ 0.5 ms) but the
// response leg of the POST, from the webhook recording the reply to the router's fetch() resolving, which at
// saturation is event-loop queueing (measured 100–230 ms with 30 messages in flight, ≈ 10 ms one at a time).
// A kill then catches most in-flight replies in that window (Little's law: throughput × window).

const TOTAL = 300
/** Messages outstanding at any moment: the sender tops the window up as replies come in. */
const WINDOW = 30
/** First-reply counts at which the router is killed. */
const KILL_AT = [60, 140, 220]
/** Messages sent while the router is dead: they wait in the gateway for the next connection. */
const SENT_WHILE_DEAD = 10
/** Spawning compiles the app with tsx: tens of seconds on a loaded 2-core machine. */
const SPAWN_MS = 180_000

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

function pendingInbox(dbPath: string): Set<string> {
  // Read-write on purpose: the dead process may have left a WAL to recover, which a read-only handle cannot.
  const db = new Database(dbPath)
  try {
    db.pragma('busy_timeout = 5000')
    return new Set(db.prepare("SELECT msg_id FROM inbox WHERE status = 'pending'").pluck().all() as string[])
  } finally {
    db.close()
  }
}

function routerctl(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/routerctl.ts', ...args],
      { cwd: ROOT, env, timeout: SPAWN_MS },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0
        if (code === undefined) return reject(new Error(`routerctl did not exit normally: ${err?.message}\n${stderr}`))
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('chaos: the router process is SIGKILLed mid-burst and restarted', { timeout: 8 * SPAWN_MS }, () => {
  it('loses no message over three kills; duplicates only for messages caught in flight by a kill', async () => {
    const sim = await startSimulator(cleanup, { redeliveryDelayMs: 500, redeliveryCount: 1000 })
    const dir = cleanup.add(tempDir('chaos-kill-'), removeDir)
    const env = routerEnv(sim, dir)
    const dbPath = join(dir, 'router.db')
    const counter = cleanup.add(new ReplyCounter(sim), (c) => c.stop())
    const procs: RouterProcess[] = []
    cleanup.add(procs, (ps) => Promise.all(ps.map((p) => p.kill('SIGKILL'))))

    const sent: BurstMessage[] = []
    const ours = new Set<string>()
    const send = () => {
      if (sent.length >= TOTAL) return
      const m = sendBurstMessage(sim, sent.length)
      sent.push(m)
      ours.add(m.msgId)
    }
    // A reply to one of ours makes room in the window for the next message.
    const answered = new Set<string>()
    sim.on('reply', (r: { msgId?: string }) => {
      if (!r.msgId || !ours.has(r.msgId) || answered.has(r.msgId)) return
      answered.add(r.msgId)
      send()
    })

    const start = async (): Promise<RouterProcess> => {
      const before = sim.stats.connectionsAccepted
      const p = spawnRouter(env)
      procs.push(p)
      await waitForEvent(
        sim,
        'connection',
        () => sim.stats.connectionsAccepted > before,
        SPAWN_MS,
        () => `router ${procs.length} did not connect; stderr: ${p.stderr().slice(-1000)}`,
      )
      return p
    }

    const kills: {
      outstanding: number
      pending: Set<string>
      answeredAtKill: Set<string>
      answeredButPending: number
    }[] = []
    let proc = await start()
    for (let i = 0; i < WINDOW; i++) send()
    for (const threshold of KILL_AT) {
      await waitForEvent(
        sim,
        'reply',
        () => answered.size >= threshold,
        PATIENCE,
        () => `${answered.size} of ${threshold} answered`,
      )
      proc.child.kill('SIGKILL')
      const outstanding = sent.length - answered.size
      const answeredAtKill = new Set(answered)
      expect((await proc.exited).signal).toBe('SIGKILL')
      const pending = pendingInbox(dbPath)
      // Replied to (the webhook has it) but not yet marked answered: the window no client can close.
      const answeredButPending = [...pending].filter((id) => answeredAtKill.has(id)).length
      kills.push({ outstanding, pending, answeredAtKill, answeredButPending })
      for (let i = 0; i < SENT_WHILE_DEAD; i++) send()
      proc = await start()
    }

    const ids = () => sent.map((m) => m.msgId)
    await waitForEvent(
      sim,
      'reply',
      () => sent.length === TOTAL,
      PATIENCE,
      () => `${sent.length} of ${TOTAL} sent`,
    )
    await counter.waitAll(ids())
    await waitAllAcked(
      sim,
      sent.map((m) => m.messageId),
    )
    const barrier = sim.sendMessage({ text: 'ping', senderStaffId: 'user9' })
    expect((await sim.waitForReply({ msgId: barrier.msgId }, PATIENCE)).text).toBe('pong')

    // A graceful stop of the last run finishes what is in flight and leaves nothing pending.
    const stopped = await proc.kill('SIGTERM')
    expect(stopped).toEqual({ code: 0, signal: null })
    expect(pendingInbox(dbPath).size).toBe(0)

    // Nothing lost, each first reply the right one.
    const counts = sent.map((m) => counter.counts.get(m.msgId) ?? 0)
    expect(counts.filter((n) => n === 0)).toHaveLength(0)
    const wrong = sent.filter((m) => !m.expect(sim.replies.find((r) => r.msgId === m.msgId)!)).map((m) => m.msgId)
    expect(wrong).toEqual([])

    // Duplicates: only for messages stored-but-unanswered at a kill, at most one extra per such kill.
    const duplicates = sent.filter((m) => counter.counts.get(m.msgId)! > 1)
    for (const m of duplicates) {
      const heldAtKills = kills.filter((k) => k.pending.has(m.msgId)).length
      expect(
        counter.counts.get(m.msgId)! - 1,
        `${m.msgId}: ${counter.counts.get(m.msgId)} replies, pending at ${heldAtKills} kills`,
      ).toBeLessThanOrEqual(heldAtKills)
    }
    const extraReplies = duplicates.reduce((n, m) => n + counter.counts.get(m.msgId)! - 1, 0)
    // Replied to before the kill vs a reply POST still in the socket when the process died, recorded after it.
    const caughtReplied = duplicates.filter((m) =>
      kills.some((k) => k.pending.has(m.msgId) && k.answeredAtKill.has(m.msgId)),
    ).length

    // Every run started (and audited its start); the last one stopped cleanly; the chain verifies.
    const db = new Database(dbPath, { readonly: true })
    let starts: number, whoamiExecuted: number
    try {
      starts = db
        .prepare("SELECT COUNT(*) FROM audit WHERE action = 'start' AND outcome = 'executed'")
        .pluck()
        .get() as number
      whoamiExecuted = db
        .prepare("SELECT COUNT(*) FROM audit WHERE action = 'whoami' AND outcome = 'executed'")
        .pluck()
        .get() as number
    } finally {
      db.close()
    }
    expect(starts).toBe(KILL_AT.length + 1)
    expect(whoamiExecuted).toBeGreaterThanOrEqual(sent.filter((m) => m.kind === 'whoami').length)
    const verify = await routerctl(['audit', 'verify'], env)
    expect(verify, verify.stderr).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^audit chain intact: \d+ entries/),
    })

    const resumed = procs
      .flatMap((p) => p.records())
      .filter((l) => l.msg === 'resumed messages left unanswered by the last run')
      .map((l) => Number(l.resumed))
    const redelivered = sent.filter((m) => sim.deliveries(m.msgId) > 1).length
    const summary = {
      messages: TOTAL,
      kills: kills.length,
      unansweredAtKills: kills.map((k) => k.outstanding),
      inWindowAtKills: kills.map((k) => k.answeredButPending),
      storedUnansweredAtKills: kills.map((k) => k.pending.size),
      resumedAtRestarts: resumed,
      redeliveredMessages: redelivered,
      duplicatedMessages: duplicates.length,
      extraReplies,
      duplicatesRepliedBeforeKill: caughtReplied,
      duplicatesRepliedAfterKill: duplicates.length - caughtReplied,
    }
    console.log(`SIGKILL chaos: ${JSON.stringify(summary)}`)
    // Each kill hit a live burst: messages were sent and not yet answered.
    expect(kills.every((k) => k.outstanding > 0)).toBe(true)
    for (const p of procs) expect(p.stderr()).toBe('')
  })
})
