import type { DB } from './db.js'

// Per-route, per-minute message and error counts, the source of every error rate.

export interface ErrorRate {
  windowMinutes: number
  messages: number
  /** Failed messages: internal errors, skill failures answered from a fallback, undelivered replies. */
  errors: number
  /** Answers that came from a skill's fallback (a failure, or incident mode holding the skill back). */
  fallbacks: number
  /** errors / messages, 0 when there were no messages. */
  rate: number
}

/** Per-route, per-minute message and error counts. */
export class UsageStore {
  private readonly upsert
  private readonly window

  constructor(private readonly db: DB) {
    this.upsert =
      db.prepare(`INSERT INTO route_minutes (minute, route, messages, errors, fallbacks) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (minute, route) DO UPDATE SET messages = messages + excluded.messages, errors = errors + excluded.errors,
        fallbacks = fallbacks + excluded.fallbacks`)
    this.window = db.prepare(
      `SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(errors), 0) AS errors,
        COALESCE(SUM(fallbacks), 0) AS fallbacks FROM route_minutes WHERE minute >= ?`,
    )
  }

  /** Counts one handled message; observe() is the only caller that decides what `isError` means. */
  recordMessage(route: string, isError: boolean, now: number, fromFallback = false): void {
    this.recordCounts(route, now, { messages: 1, errors: isError ? 1 : 0, fallbacks: fromFallback ? 1 : 0 })
  }

  /** Adds several messages of one route and minute in one statement (a batch of completions). */
  recordCounts(route: string, now: number, n: { messages: number; errors: number; fallbacks: number }): void {
    this.upsert.run(Math.floor(now / 60_000), route.slice(0, 64), n.messages, n.errors, n.fallbacks)
  }

  /**
   * The error rate over the last `minutes`, across routes: the one computation behind /status, /runbook,
   * the daily digest, routerctl status and the known-good gate.
   */
  errorRate(now: number, minutes = 15): ErrorRate {
    const row = this.window.get(Math.floor(now / 60_000) - minutes + 1) as {
      messages: number
      errors: number
      fallbacks: number
    }
    return {
      windowMinutes: minutes,
      messages: row.messages,
      errors: row.errors,
      fallbacks: row.fallbacks,
      rate: row.messages ? row.errors / row.messages : 0,
    }
  }

  /** A write that changes nothing, to prove the database accepts writes (readiness). */
  probeWrite(): void {
    this.db
      .prepare(
        "INSERT INTO kv (key, value, updated_at) VALUES ('ready.probe', '1', 0) ON CONFLICT (key) DO UPDATE SET value = value",
      )
      .run()
  }

  pruneBefore(cutoff: number): number {
    return this.db.prepare('DELETE FROM route_minutes WHERE minute < ?').run(Math.floor(cutoff / 60_000)).changes
  }
}
