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

// The reply itself ("please narrow it") is the catalogue's `budget.needsMoreInfo`, in the asker's language.

/** Where the refusal happened: the pipeline (the user's text alone) or the model client (the whole prompt). */
export type RefusalStage = 'pipeline' | 'model'

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
