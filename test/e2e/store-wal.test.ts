import Database from 'better-sqlite3'
import { readFileSync, statSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { Cleanup } from '../helpers/cleanup.js'
import { startTestRouter } from '../helpers/router.js'
import { waitForAck } from '../helpers/waits.js'

// Another process holding a read transaction (a routerctl export, a sqlite3 shell left in BEGIN) keeps
// SQLite from reusing the WAL, and one holding a lock makes every statement wait. Neither may grow the file
// without bound, freeze the bot, or lose a message. The "other process" here is a second connection.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const T = { timeout: 120_000 }
const BOUND_MS = 30_000

/** Polls `condition` every 50 ms until it holds; fails after `boundMs` with `what`. */
async function until(condition: () => boolean, what: string, boundMs = BOUND_MS): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > boundMs) throw new Error(`${what}: not within ${boundMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const walSize = (db: string) => {
  try {
    return statSync(`${db}-wal`).size
  } catch {
    return 0
  }
}

async function status(httpUrl: string): Promise<{ database?: { walBytes: number; warning?: string } }> {
  return (await (await fetch(`${httpUrl}/status`)).json()) as { database?: { walBytes: number; warning?: string } }
}

async function walMetric(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith('router_sqlite_wal_bytes '))
  return line === undefined ? Number.NaN : Number(line.split(' ')[1])
}

describe('the SQLite file under another process', () => {
  it(
    'keeps the WAL small per message while a reader holds it open, and shrinks it within seconds once the reader lets go',
    T,
    async () => {
      const r = await cleanup.router(
        startTestRouter({
          configure: (c) => ({
            ...c,
            limits: { ...c.limits, perUserPerMinute: 10_000, perConversationPerMinute: 100_000 },
            sqlite: { ...c.sqlite, walLimitBytes: 256 * 1024, walWarnBytes: 512 * 1024 },
          }),
        }),
      )
      expect(await walMetric(r.httpUrl)).toBeGreaterThanOrEqual(0) // present from the start
      const reader = cleanup.add(new Database(r.dbPath, { readonly: true }), (db) => db.close())
      reader.exec('BEGIN')
      reader.prepare('SELECT COUNT(*) FROM audit').get() // the snapshot is taken on the first read
      const before = walSize(r.dbPath)
      const pings = 150
      for (let i = 0; i < pings; i += 10) {
        const batch = Array.from({ length: 10 }, (_, j) => r.say({ text: 'ping', senderStaffId: `user${i + j}` }))
        for (const reply of await Promise.all(batch)) expect(reply.text).toBe('pong')
      }
      await until(() => r.app.services.inbox.pending().length === 0, 'every ping completed')
      const perMessage = (walSize(r.dbPath) - before) / pings
      // Four 4 KiB pages a message (inbox row on arrival and completion, the minute counter); main wrote six.
      expect(perMessage).toBeLessThan(20 * 1024)
      await until(() => walSize(r.dbPath) > 512 * 1024, 'the WAL grew past the warning size')
      await until(() => (r.app.services.runtime.database?.().warning ?? '') !== '', 'the warning')
      const warned = await status(r.httpUrl)
      expect(warned.database?.warning).toMatch(/another process is holding a read transaction open/)
      await until(() => r.logs.lines.some((l) => l.includes('another process is holding a read transaction')), 'log')
      expect(await walMetric(r.httpUrl)).toBeGreaterThan(512 * 1024)

      reader.exec('COMMIT')
      await until(() => walSize(r.dbPath) <= 256 * 1024, 'the WAL truncated after the reader let go')
      await until(() => (r.app.services.runtime.database?.().warning ?? '') === '', 'warning gone')
      expect((await status(r.httpUrl)).database?.warning).toBeUndefined()
    },
  )

  it(
    'does not block the event loop for seconds on a lock another process holds: the message stays un-acked and is answered after',
    T,
    async () => {
      const r = await cleanup.router(startTestRouter({ simOptions: { redeliveryDelayMs: 200, redeliveryCount: 1000 } }))
      const writer = cleanup.add(new Database(r.dbPath), (db) => db.close())
      writer.exec('BEGIN IMMEDIATE')
      const delay = monitorEventLoopDelay({ resolution: 10 })
      delay.enable()
      const sent = r.sim.sendMessage({ text: 'ping' })
      await r.logs.waitFor(
        (l) => l.msg === 'could not store an inbound message; leaving it un-acked for redelivery',
        BOUND_MS,
      )
      // Let a few redeliveries meet the lock too.
      await until(() => r.sim.deliveries(sent.msgId) >= 3, 'redelivered while locked')
      delay.disable()
      expect(r.sim.isAcked(sent.messageId)).toBe(false)
      // Each refused store waits at most sqlite.hotPathBusyMs (100 ms); main waited 5 s on every delivery.
      expect(delay.max / 1e6).toBeLessThan(2000)
      writer.exec('COMMIT')
      const reply = await r.sim.waitForReply({ msgId: sent.msgId }, BOUND_MS)
      expect(reply.text).toBe('pong')
      await waitForAck(r.sim, sent.messageId)
    },
  )

  it('keeps no usable session webhook on disk once a message is answered', T, async () => {
    const r = await cleanup.router(startTestRouter())
    const sent = r.sim.sendMessage({ text: 'ping' })
    expect((await r.sim.waitForReply({ msgId: sent.msgId })).text).toBe('pong')
    const token = new URL(sent.sessionWebhook).searchParams.get('session')!
    expect(token.length).toBeGreaterThan(8)
    await until(() => r.app.services.inbox.pending().length === 0, 'completed')
    // The guard truncates a quiet WAL; the database file holds the page with the payload zeroed.
    await until(() => walSize(r.dbPath) === 0, 'the quiet WAL truncated')
    for (const file of [r.dbPath, `${r.dbPath}-wal`]) {
      const bytes = (() => {
        try {
          return readFileSync(file)
        } catch {
          return Buffer.alloc(0)
        }
      })()
      expect(bytes.includes(Buffer.from(token)), file).toBe(false)
    }
  })
})
