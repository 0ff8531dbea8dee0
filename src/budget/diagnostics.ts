import { scrubPaths } from '../admin/scrub-paths.js'
import { truncateBytes, type EventStore } from '../store/events.js'
import { isoSeconds } from '../time-text.js'

/**
 * The diagnostics a skill may read: counted error events, never log lines, cut to the route's
 * maxDiagnosticBytes. A skill gets it by declaring `needs: { diagnostics: true }`.
 */
export interface DiagnosticsService {
  /** Budget of one summary, in bytes. */
  readonly maxBytes: number
  /** Recent error events, newest first, one line each; optionally one route's only. */
  summary(opts?: { route?: string }): string
}

const WINDOW_MS = 24 * 3_600_000

/**
 * Builds the diagnostics service for one request, bounded by `maxBytes`.
 * @example diagnosticsService(events, 2048, Date.now).summary({ route: 'service-status' })
 */
export function diagnosticsService(events: EventStore, maxBytes: number, now: () => number): DiagnosticsService {
  return {
    maxBytes,
    summary(opts = {}) {
      const at = now()
      const list = events.list({ route: opts.route, since: at - WINDOW_MS, limit: 50 })
      if (list.length === 0) return `No error events in the last 24 h${opts.route ? ` for ${opts.route}` : ''}.`
      const lines: string[] = []
      let used = 0
      for (const e of list) {
        const line = `${e.route} ${e.code} x${e.count}, last ${isoSeconds(e.lastSeen)}: ${scrubPaths(e.message).replace(/\s+/g, ' ')}`
        const more = `(+${list.length - lines.length} more)`
        // Keep room for the "more" note so a cut summary still says it was cut.
        if (used + Buffer.byteLength(line) + 1 + Buffer.byteLength(more) > maxBytes) {
          lines.push(more)
          break
        }
        lines.push(line)
        used += Buffer.byteLength(line) + 1
      }
      return truncateBytes(lines.join('\n'), maxBytes)
    },
  }
}
