import type { DB } from './db.js'
import type { UsageStore } from './usage.js'

/** One stored message as the work queue reads it: `seq` is the row's arrival order (its rowid). */
export interface InboxRow {
  seq: number
  msgId: string
  receivedAt: number
}

/** What the completion of one message writes to the per-minute usage counts. */
export interface UsageEntry {
  route: string
  isError: boolean
  /** The answer came from a skill's fallback (reported beside the error rate). */
  fromFallback?: boolean
}

/**
 * Durable dedup and inbox keyed by msgId, and the router's work queue: a message is stored before it is
 * acked, workers take pending rows in arrival order, and a message acked just before a crash is still
 * answered after the restart.
 */
export class InboxStore {
  private readonly insert
  private readonly markDone
  private readonly selectPending
  private readonly selectIdsAfter
  private readonly selectPayload
  private readonly countAfter
  private readonly prune
  private readonly receiveAll
  private readonly finish
  private readonly finishAll
  private completing: { msgId: string; usage?: UsageEntry; done: (err?: unknown) => void }[] = []

  private readonly briefWait
  private readonly normalWait

  /**
   * `hotPathBusyMs` bounds how long storing arriving messages waits for a lock another process holds:
   * that wait blocks the event loop, and a message not stored is simply left un-acked for redelivery.
   */
  constructor(db: DB, usage?: UsageStore, opts: { hotPathBusyMs?: number; busyTimeoutMs?: number } = {}) {
    const { hotPathBusyMs, busyTimeoutMs = 5000 } = opts
    this.briefWait = hotPathBusyMs === undefined ? undefined : db.prepare(`PRAGMA busy_timeout = ${hotPathBusyMs}`)
    this.normalWait = db.prepare(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
    this.insert = db.prepare('INSERT OR IGNORE INTO inbox (msg_id, received_at, payload) VALUES (?, ?, ?)')
    this.markDone = db.prepare("UPDATE inbox SET status = 'done', completed_at = ?, payload = '' WHERE msg_id = ?")
    this.selectPending = db.prepare(
      "SELECT msg_id AS msgId, payload FROM inbox WHERE status = 'pending' ORDER BY received_at LIMIT ?",
    )
    // `+status`: walk the rowid range after the cursor (rows not read yet, nearly all pending). On the status
    // index SQLite would visit every pending row and sort them, per page: quadratic in the queue's depth.
    this.selectIdsAfter = db.prepare(
      `SELECT rowid AS seq, msg_id AS msgId, received_at AS receivedAt FROM inbox
        WHERE rowid > ? AND +status = 'pending' ORDER BY rowid LIMIT ?`,
    )
    this.selectPayload = db.prepare("SELECT payload FROM inbox WHERE rowid = ? AND status = 'pending'").pluck()
    this.countAfter = db.prepare("SELECT COUNT(*) FROM inbox WHERE rowid > ? AND +status = 'pending'").pluck()
    this.prune = db.prepare("DELETE FROM inbox WHERE received_at < ? AND status = 'done'")
    // Group commit: every frame of one event-loop turn in one transaction, acked after it commits.
    this.receiveAll = db.transaction((rows: { msgId: string; payload: string }[], now: number) =>
      rows.map((r) => {
        const info = this.insert.run(r.msgId, now, r.payload)
        return info.changes === 1 ? Number(info.lastInsertRowid) : undefined
      }),
    )
    // The completion and its usage row are one write: one commit per answered message, not two.
    this.finish = db.transaction((msgId: string, now: number, entry: UsageEntry | undefined) => {
      this.markDone.run(now, msgId)
      if (entry) usage?.recordMessage(entry.route, entry.isError, now, entry.fromFallback)
    })
    // A batch: its rows marked in one transaction (no savepoint per row), the usage rows summed per route.
    this.finishAll = db.transaction((rows: { msgId: string; usage?: UsageEntry }[], now: number) => {
      const counts = new Map<string, { messages: number; errors: number; fallbacks: number }>()
      for (const r of rows) {
        this.markDone.run(now, r.msgId)
        if (!r.usage) continue
        let n = counts.get(r.usage.route)
        if (!n) counts.set(r.usage.route, (n = { messages: 0, errors: 0, fallbacks: 0 }))
        n.messages++
        if (r.usage.isError) n.errors++
        if (r.usage.fromFallback) n.fallbacks++
      }
      for (const [route, n] of counts) usage?.recordCounts(route, now, n)
    })
  }

  /** Records a message; `duplicate` when this msgId was seen before. Throws SQLITE_BUSY after the brief wait. */
  receive(msgId: string, payload: string, now: number): 'new' | 'duplicate' {
    return this.briefly(() => (this.insert.run(msgId, now, payload).changes === 1 ? 'new' : 'duplicate'))
  }

  /** Runs `fn` with the short hot-path lock wait, then restores the connection's normal one. */
  private briefly<T>(fn: () => T): T {
    if (!this.briefWait) return fn()
    this.briefWait.get()
    try {
      return fn()
    } finally {
      this.normalWait.get()
    }
  }

  /**
   * Records several messages in one transaction (all or none: a failure throws and stores nothing).
   * @returns per message its arrival sequence, or undefined for a msgId seen before.
   */
  receiveBatch(rows: { msgId: string; payload: string }[], now: number): (number | undefined)[] {
    return this.briefly(() => this.receiveAll.immediate(rows, now))
  }

  /**
   * Marks a message answered (its payload, with the session webhook, dropped; only the id kept for dedup) and
   * counts it, in one write. The connection runs with `secure_delete`, so the old bytes are zeroed.
   */
  complete(msgId: string, now: number, usage?: UsageEntry): void {
    this.finish(msgId, now, usage)
  }

  /**
   * {@link complete}, group-committed: the completions of one event-loop turn are one transaction, and the
   * promise resolves once it committed. A commit per message was the largest single cost under a burst.
   */
  completeSoon(msgId: string, now: () => number, usage?: UsageEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.completing.length === 0)
        setImmediate(() => {
          const batch = this.completing
          this.completing = []
          try {
            this.finishAll(batch, now())
          } catch (err) {
            for (const c of batch) c.done(err)
            return
          }
          for (const c of batch) c.done()
        })
      this.completing.push({ msgId, usage, done: (err) => (err === undefined ? resolve() : reject(err)) })
    })
  }

  /** Messages stored but not yet answered (after a crash), oldest first. */
  pending(limit = 500): { msgId: string; payload: string }[] {
    return this.selectPending.all(limit) as { msgId: string; payload: string }[]
  }

  /**
   * The next pending messages after arrival sequence `seq`, in arrival order: one page of the work queue,
   * without the payloads (it reads a payload with {@link payloadOf} only when the message is not in memory).
   */
  pendingIdsAfter(seq: number, limit: number): InboxRow[] {
    return this.selectIdsAfter.all(seq, limit) as InboxRow[]
  }

  /** A pending message's payload, or undefined once it is answered. */
  payloadOf(seq: number): string | undefined {
    return this.selectPayload.get(seq) as string | undefined
  }

  /** How many pending messages come after arrival sequence `seq` (the part of the queue not yet read). */
  countPendingAfter(seq: number): number {
    return this.countAfter.get(seq) as number
  }

  /** Forgets answered messages older than the retention; returns how many. */
  pruneBefore(cutoff: number): number {
    return this.prune.run(cutoff).changes
  }
}
