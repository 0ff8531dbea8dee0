import { truncateBytes, type ErrorEvent, type EventStore } from '../store/events.js'
import { textsFor, type Texts } from '../i18n/catalogue.js'
import { scrubPaths } from './scrub-paths.js'

// The one summary of stored error events: /diag shows it to operators, and skills that declare
// `needs.diagnostics` read it within their route's budget. It depends on the event store only, so both
// sides can use it without importing each other.

// Enough to count "how many more" exactly in any realistic table; past this the footer says "at least".
const MAX_COUNTED = 100_000
const MESSAGE_BYTES = 120

/** What one error summary covers and how much room it has. */
export interface ErrorSummaryScope {
  /** One route's events; all routes' otherwise. */
  route?: string
  /** The cap of the whole text, in UTF-8 bytes. */
  maxBytes: number
  now: number
  /** Only events seen in this many hours up to `now`; every stored event otherwise. */
  withinHours?: number
  /** Whether a route's newest redacted sample may be shown (to an operator's /diag, never to a skill). */
  sample?: boolean
  /** The words: /diag passes the admin group's; English when absent. */
  texts?: Texts
}

/**
 * The one summary of stored error events, shared by /diag and the diagnostics a skill may read: route, code,
 * count, first and last seen and message, newest first, never log lines, cut to fit `maxBytes` of UTF-8;
 * when cut, it says how many more kinds of event exist.
 * @example errorSummary(services.events, { route: 'service-status', maxBytes: 2048, now: Date.now() })
 */
export function errorSummary(store: Pick<EventStore, 'list'>, scope: ErrorSummaryScope): string {
  const { route, maxBytes, now } = scope
  const since = scope.withinHours === undefined ? undefined : now - scope.withinHours * 3_600_000
  const events = store.list({ route, since, limit: MAX_COUNTED })
  const texts = scope.texts ?? textsFor('en')
  const t = texts.runbook
  const where = clean(route ? t.diagRoute(route) : t.diagAll, 80)
  const within = scope.withinHours === undefined ? '' : t.diagWithin(scope.withinHours)
  if (events.length === 0) return truncateBytes(t.diagNone(where, within), maxBytes)
  const occurrences = events.reduce((sum, e) => sum + e.count, 0)
  const atLeast = events.length >= MAX_COUNTED
  const header = t.diagHeader(where, within, t.diagKinds(events.length, atLeast), occurrences, maxBytes)
  const footer = (left: number) => (left === 0 ? '' : t.diagMore(t.diagKinds(left, atLeast), !route))
  const lines = [header]
  let used = bytes(header)
  let shown = 0
  for (const e of events) {
    const line = eventLine(e, now, !route, texts)
    const left = events.length - shown - 1
    if (used + 1 + bytes(line) + 1 + bytes(footer(left)) > maxBytes) break
    lines.push(line)
    used += 1 + bytes(line)
    shown++
  }
  const rest = footer(events.length - shown)
  // Only a route's own view shows a sample: one redacted excerpt of at most 512 bytes, and only when it fits.
  const sample = scope.sample && route && events[0]?.sample ? t.diagSample(clean(events[0].sample, 512)) : ''
  if (sample && used + 1 + bytes(sample) + 1 + bytes(rest) <= maxBytes) lines.push(sample)
  if (rest) lines.push(rest)
  // The line loop keeps within the cap; this only bites when even the header does not fit a tiny budget.
  return truncateBytes(lines.join('\n'), maxBytes)
}

function eventLine(e: ErrorEvent, now: number, withRoute: boolean, texts: Texts): string {
  const seen = texts.runbook.diagSeen(texts.time.ago(now - e.lastSeen), texts.time.ago(now - e.firstSeen))
  const head = withRoute ? `${clean(e.route, 64)} · ${clean(e.code, 64)}` : clean(e.code, 64)
  return `- ${head} ×${e.count} (${seen}): ${clean(e.message, MESSAGE_BYTES)}`
}

// Stored text is already redacted; this keeps it to one short line that cannot break the markdown around it,
// with no absolute path of the server (stack samples and error messages carry them).
function clean(text: string, maxBytes: number): string {
  return truncateBytes(
    scrubPaths(text)
      .replace(/\s+/g, ' ')
      .replace(/\|/g, '/')
      .replace(/[`*#>[\]]/g, ''),
    maxBytes,
  )
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
