import { errorSummary } from '../admin/error-summary.js'
import type { EventStore } from '../store/events.js'

/**
 * The diagnostics a skill may read: the /diag summary of the last 24 h, without samples, cut to the route's
 * maxDiagnosticBytes. A skill gets it by declaring `needs: { diagnostics: true }`.
 */
export interface DiagnosticsService {
  /** Budget of one summary, in bytes. */
  readonly maxBytes: number
  /** Recent error events, newest first, one line each; optionally one route's only. */
  summary(opts?: { route?: string }): string
}

/**
 * Builds the diagnostics service for one request, bounded by `maxBytes`.
 * @example diagnosticsService(events, 2048, Date.now).summary({ route: 'service-status' })
 */
export function diagnosticsService(events: EventStore, maxBytes: number, now: () => number): DiagnosticsService {
  return {
    maxBytes,
    summary: (opts = {}) => errorSummary(events, { route: opts.route, maxBytes, now: now(), withinHours: 24 }),
  }
}
