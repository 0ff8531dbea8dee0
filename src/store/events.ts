import { scrubSecrets } from '../redact.js'
import type { DB } from './db.js'

// Error events: failures counted by route and code, which /diag and a skill's diagnostics summarise.

const MAX_SAMPLE_BYTES = 512

export interface ErrorEvent {
  route: string
  code: string
  message: string
  count: number
  firstSeen: number
  lastSeen: number
  sample: string | null
}

/**
 * Errors as structured, counted events keyed by route and code. Thousands of the same failure are one
 * row with a count, which is what lets a diagnostic summary stay small. Message and sample are stored
 * scrubbed of known secrets and credential URL parameters (an error message can carry either), so /diag
 * and skills' diagnostics read only scrubbed text.
 * @example events.record({ route: 'ask', code: 'over-budget', message: 'prompt 9,120 tokens > 4,000' }, Date.now())
 */
export class EventStore {
  private readonly upsert

  constructor(private readonly db: DB) {
    this.upsert = db.prepare(`INSERT INTO error_events (route, code, message, count, first_seen, last_seen, sample)
      VALUES (@route, @code, @message, 1, @now, @now, @sample)
      ON CONFLICT (route, code) DO UPDATE SET count = count + 1, last_seen = @now, message = @message,
        sample = COALESCE(@sample, sample)`)
  }

  record(e: { route: string; code: string; message: string; sample?: string }, now: number): void {
    this.upsert.run({
      route: e.route.slice(0, 64),
      code: e.code.slice(0, 64),
      // Scrubbed before the cut, so a secret at the edge is never stored in part.
      message: scrubSecrets(String(e.message)).slice(0, 200),
      sample: e.sample === undefined ? null : truncateBytes(scrubSecrets(String(e.sample)), MAX_SAMPLE_BYTES),
      now,
    })
  }

  /** Most recent first; optionally one route and only events seen since `since`. */
  list(opts: { route?: string; since?: number; limit?: number } = {}): ErrorEvent[] {
    const rows = this.db
      .prepare(`SELECT route, code, message, count, first_seen AS firstSeen, last_seen AS lastSeen, sample FROM error_events
        WHERE (@route IS NULL OR route = @route) AND last_seen >= @since ORDER BY last_seen DESC LIMIT @limit`)
      .all({ route: opts.route ?? null, since: opts.since ?? 0, limit: opts.limit ?? 50 })
    return rows as ErrorEvent[]
  }

  pruneBefore(cutoff: number): number {
    return this.db.prepare('DELETE FROM error_events WHERE last_seen < ?').run(cutoff).changes
  }
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text
  let out = Buffer.from(text).subarray(0, max).toString('utf8')
  while (Buffer.byteLength(out) > max || out.endsWith('\uFFFD')) out = out.slice(0, -1)
  return out
}
