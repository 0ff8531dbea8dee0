import type { Services } from '../context.js'
import type { ReplyContent } from '../define.js'
import { effectiveBudget } from '../budget/resolve.js'
import { errorSummary } from './error-summary.js'

type Deps = Pick<Services, 'config' | 'state'>

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
export function diagSummary(s: Deps & Pick<Services, 'events'>, route: string | undefined, now: number): ReplyContent {
  const title = `Diagnostics: ${route ? `route ${route}` : 'all routes'}`.slice(0, 80)
  return { title, markdown: errorSummary(s.events, { route, maxBytes: diagnosticBudget(s, route), now, sample: true }) }
}
