import type { DB } from './db.js'

// The outbox: notices for the admin conversations, written by any process, sent by the connected bot.

/**
 * How a notice the OpenAPI refused is tried again. 1 s after the first failure, doubling to 5 min, then every
 * 5 min: a 429 or a short OpenAPI outage clears within seconds, while a revoked permission or a robot removed
 * from the group waits for a person, who then sees the notice arrive within 5 min of the fix without the
 * router hammering an API that is rate-limiting it. 300 failed attempts are about 24 hours of refusals
 * (511 s of doubling, then 291 × 5 min): long enough to outlast an outage or a night, and only then given up.
 * A notice given up stays in the table unsent, counted as undelivered in /status and router_outbox_notices.
 */
export const OUTBOX_RETRY = { firstDelayMs: 1000, maxDelayMs: 300_000, maxAttempts: 300 } as const

/**
 * How long to wait after the `attempts`-th failed attempt before the next one.
 * @example outboxRetryDelayMs(1) // 1000
 * outboxRetryDelayMs(20) // 300000
 */
export function outboxRetryDelayMs(attempts: number): number {
  const { firstDelayMs, maxDelayMs } = OUTBOX_RETRY
  // Capped before the power grows past what a double holds exactly.
  return Math.min(firstDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30), maxDelayMs)
}

export interface OutboxEntry {
  id: number
  text: string
  createdAt: number
  /** Failed attempts so far. */
  attempts: number
}

/** Notices not sent yet: `waiting` are still being tried, `undelivered` were given up on. */
export interface OutboxBacklog {
  waiting: number
  undelivered: number
}

/** Notices for the admin conversations. Any process may write one; the connected bot sends them. */
export class OutboxStore {
  private readonly insert
  private readonly selectDue
  private readonly markSent
  private readonly markFailed
  private readonly countUnsent

  constructor(db: DB) {
    this.insert = db.prepare('INSERT INTO outbox (text, created_at) VALUES (?, ?)')
    this.selectDue = db.prepare(
      `SELECT id, text, created_at AS createdAt, attempts FROM outbox
        WHERE sent_at IS NULL AND attempts < ? AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 20`,
    )
    this.markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ?')
    this.markFailed = db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? RETURNING attempts')
      .pluck()
    this.countUnsent = db.prepare(
      `SELECT COALESCE(SUM(attempts < @max), 0) AS waiting, COALESCE(SUM(attempts >= @max), 0) AS undelivered
        FROM outbox WHERE sent_at IS NULL`,
    )
  }

  add(text: string, now: number): number {
    return Number(this.insert.run(text.slice(0, 4000), now).lastInsertRowid)
  }

  /**
   * Unsent notices not yet given up, oldest first, leaving out `backingOff` (ids still waiting out their
   * retry delay), so notices behind them are not held up.
   */
  due(backingOff: readonly number[] = []): OutboxEntry[] {
    return this.selectDue.all(OUTBOX_RETRY.maxAttempts, JSON.stringify(backingOff)) as OutboxEntry[]
  }

  sent(id: number, now: number): void {
    this.markSent.run(now, id)
  }

  /** Counts a failed attempt; returns the failed attempts so far (0 when the row is gone). */
  failed(id: number, error: string): number {
    return (this.markFailed.get(error.slice(0, 300), id) as number | undefined) ?? 0
  }

  /** How many notices are unsent: still being tried, and given up on. */
  backlog(): OutboxBacklog {
    return this.countUnsent.get({ max: OUTBOX_RETRY.maxAttempts }) as OutboxBacklog
  }
}
