import type { RouterConfig } from '../config.js'
import type { ReplyContent } from '../dingtalk/message-content.js'
import type { StateStore } from '../store/state.js'
import { truncateBytes, type ErrorEvent, type EventStore } from '../store/events.js'
import { effectiveBudget } from '../budget/resolve.js'
import { ago } from '../time-text.js'
import { scrubPaths } from './scrub-paths.js'

/** What /diag reads besides the events: the config's budgets and the runtime overrides. */
type Deps = { config: RouterConfig; state: StateStore }

// Enough to count "how many more" exactly in any realistic table; past this the footer says "at least".
const MAX_COUNTED = 100_000
const MESSAGE_BYTES = 120

/**
 * The diagnostic budget of a route in bytes: a runtime override (/budget, routerctl) wins over the route's
 * config entry, which wins over `budgets.default`. Without a route, the default budget.
 * @example diagnosticBudget(services, 'service-status') // 2048
 */
function diagnosticBudget(s: Deps, route?: string): number {
  if (!route) return s.config.budgets.default.maxDiagnosticBytes
  return effectiveBudget(s.config, s.state.current().state, route).limits.maxDiagnosticBytes
}

/**
 * /diag: the error summary of one route (with its newest sample) or of all routes, cut to that route's
 * diagnostic budget.
 * @example const reply = diagSummary(services, 'service-status', Date.now())
 */
export function diagSummary(s: Deps & { events: EventStore }, route: string | undefined, now: number): ReplyContent {
  const title = `Diagnostics: ${route ? `route ${route}` : 'all routes'}`.slice(0, 80)
  return { title, markdown: errorSummary(s.events, { route, maxBytes: diagnosticBudget(s, route), now, sample: true }) }
}

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
  const where = route ? `route ${route}` : 'all routes'
  const within = scope.withinHours === undefined ? '' : ` in the last ${scope.withinHours} h`
  if (events.length === 0) return truncateBytes(`No error events stored for ${clean(where, 80)}${within}.`, maxBytes)
  const occurrences = events.reduce((sum, e) => sum + e.count, 0)
  const atLeast = events.length >= MAX_COUNTED ? 'at least ' : ''
  const header = `**${clean(where, 80)}**${within}: ${atLeast}${kinds(events.length)}, ${occurrences.toLocaleString('en-US')} occurrence${occurrences === 1 ? '' : 's'}; newest first (cap ${maxBytes.toLocaleString('en-US')} bytes).`
  const footer = (left: number) =>
    left === 0 ? '' : `…and ${atLeast}${kinds(left)} more not shown.${route ? '' : ' /diag <route> narrows it.'}`
  const lines = [header]
  let used = bytes(header)
  let shown = 0
  for (const e of events) {
    const line = eventLine(e, now, !route)
    const left = events.length - shown - 1
    if (used + 1 + bytes(line) + 1 + bytes(footer(left)) > maxBytes) break
    lines.push(line)
    used += 1 + bytes(line)
    shown++
  }
  const rest = footer(events.length - shown)
  // Only a route's own view shows a sample: one redacted excerpt of at most 512 bytes, and only when it fits.
  const sample =
    scope.sample && route && events[0]?.sample ? `Newest sample (redacted): ${clean(events[0].sample, 512)}` : ''
  if (sample && used + 1 + bytes(sample) + 1 + bytes(rest) <= maxBytes) lines.push(sample)
  if (rest) lines.push(rest)
  // The line loop keeps within the cap; this only bites when even the header does not fit a tiny budget.
  return truncateBytes(lines.join('\n'), maxBytes)
}

function eventLine(e: ErrorEvent, now: number, withRoute: boolean): string {
  const seen = `last ${ago(now - e.lastSeen)}, first ${ago(now - e.firstSeen)}`
  const head = withRoute ? `${clean(e.route, 64)} · ${clean(e.code, 64)}` : clean(e.code, 64)
  return `- ${head} ×${e.count} (${seen}): ${clean(e.message, MESSAGE_BYTES)}`
}

function kinds(n: number): string {
  return `${n.toLocaleString('en-US')} kind${n === 1 ? '' : 's'} of error`
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
