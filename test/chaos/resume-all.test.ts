import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ReplyCounter } from '../helpers/chaos.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startSimulator } from '../helpers/router.js'
import { routerEnv, spawnRouter } from '../helpers/router-process.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'
import { waitAllAcked, waitForEvent } from '../helpers/waits.js'

// 800 messages stored and acked but not answered (every reply POST held unanswered by the webhook) when
// the process is SIGKILLed; the next run on the same database answers all of them, each once: more than
// one page of the queue, and more than the old resume limit of 500.
const N = 800
const SPAWN_MS = 180_000

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

function pendingCount(dbPath: string): number {
  const db = new Database(dbPath)
  try {
    db.pragma('busy_timeout = 5000')
    return db.prepare("SELECT COUNT(*) FROM inbox WHERE status = 'pending'").pluck().get() as number
  } finally {
    db.close()
  }
}

describe('chaos: SIGKILL with 800 stored-but-unanswered messages', { timeout: 3 * SPAWN_MS + PATIENCE }, () => {
  it('answers all 800 after the restart, each once', async () => {
    const sim = await startSimulator(cleanup)
    const dir = cleanup.add(tempDir('chaos-resume-'), removeDir)
    const env = routerEnv(sim, dir, { ROUTER_CONCURRENCY: '4' })
    const counter = cleanup.add(new ReplyCounter(sim), (c) => c.stop())
    const connected = (p: ReturnType<typeof spawnRouter>, before: number) =>
      waitForEvent(
        sim,
        'connection',
        () => sim.stats.connectionsAccepted > before,
        SPAWN_MS,
        () => `router did not connect; stderr: ${p.stderr().slice(-1000)}`,
      )

    sim.setWebhookFault(() => 0)
    const first = spawnRouter(env)
    cleanup.add(first, (p) => p.kill('SIGKILL'))
    await connected(first, 0)
    const sent = Array.from({ length: N }, (_, i) => sim.sendMessage({ text: 'ping', senderStaffId: `u${i % 50}` }))
    await waitAllAcked(
      sim,
      sent.map((m) => m.messageId),
      PATIENCE,
    )
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    expect(pendingCount(join(dir, 'router.db'))).toBe(N)
    expect(counter.counts.size).toBe(0)

    sim.setWebhookFault(undefined)
    const before = sim.stats.connectionsAccepted
    const second = spawnRouter(env)
    cleanup.add(second, (p) => p.kill('SIGKILL'))
    await connected(second, before)
    await counter.waitAll(
      sent.map((m) => m.msgId),
      PATIENCE,
    )
    const resumed = await second.waitForRecord(
      (l) => l.msg === 'resumed messages left unanswered by the last run',
      PATIENCE,
    )
    expect(resumed.resumed).toBe(N)
    expect((await second.kill('SIGTERM')).code).toBe(0)
    expect(pendingCount(join(dir, 'router.db'))).toBe(0)
    expect(sent.filter((m) => counter.counts.get(m.msgId) !== 1)).toEqual([])
    expect(sim.replies.filter((r) => r.text !== 'pong')).toEqual([])
    expect(second.stderr()).toBe('')
  })
})
