import { errorMessage } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { EventStore } from '../store/events.js'
import type { ModelUsageStore } from '../store/model-usage.js'

/** Where a refusal is counted (the metric, the per-minute usage, the error events), and the clock. */
export interface RefusalSinks {
  metrics: Metrics
  events: EventStore
  modelUsage: ModelUsageStore
  now: () => number
}

/** Where the refusal happened: the pipeline (the user's text alone) or the model client (the whole prompt). */
export type RefusalStage = 'pipeline' | 'model'

/**
 * The short, deterministic reply to an over-budget request: how big it is, what the route takes, what to
 * narrow. Nothing else: the details go to the log and the error events, not to the chat.
 * @example needsMoreInfo(9120, 4000) // 'That is about 9,100 tokens; this route takes 4,000. Please narrow it: …'
 */
export function needsMoreInfo(tokens: number, limit: number): string {
  return (
    `That is about ${about(tokens)} tokens; this route takes ${limit.toLocaleString('en-US')}. ` +
    'Please narrow it: the service name, the time window, and the one error line that matters.'
  )
}

/**
 * Counts a refusal everywhere an operator looks: the metric, the per-minute usage, an error event, the log.
 * @example recordRefusal(services, { route: 'ask', tokens: 9120, limit: 4000, stage: 'pipeline', log: ctx.log })
 */
export function recordRefusal(
  s: RefusalSinks,
  r: { route: string; tokens: number; limit: number; stage: RefusalStage; log: Logger },
): void {
  s.metrics.budgetRefusals.inc({ route: r.route })
  r.log.warn(
    { route: r.route, tokens: r.tokens, maxContextTokens: r.limit, stage: r.stage },
    'over the route budget: refused before reaching the model',
  )
  try {
    const now = s.now()
    s.modelUsage.recordRefusal(r.route, now)
    // Sizes only: the text itself (often a pasted log) is never stored.
    s.events.record(
      {
        route: r.route,
        code: 'over-budget',
        message: `prompt of ${r.tokens} tokens over maxContextTokens ${r.limit} (${r.stage})`,
      },
      now,
    )
  } catch (err) {
    r.log.warn({ err: errorMessage(err) }, 'could not record the budget refusal')
  }
}

// Round to what a person reads: exact below a thousand, to the hundred above (9,120 → 9,100).
function about(tokens: number): string {
  const rounded = tokens < 1000 ? tokens : Math.round(tokens / 100) * 100
  return rounded.toLocaleString('en-US')
}
