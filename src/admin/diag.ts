import type { RouterConfig } from '../config.js'
import type { ReplyContent } from '../dingtalk/message-content.js'
import type { StateStore } from '../store/state.js'
import type { EventStore } from '../store/events.js'
import type { Texts } from '../i18n/catalogue.js'
import { effectiveBudget } from '../budget/resolve.js'
import { errorSummary } from './error-summary.js'

// /diag's reply: the error summary of one route or of all, cut to that route's diagnostic budget.

/** What /diag reads besides the events: the config's budgets and the runtime overrides. */
type Deps = { config: RouterConfig; state: StateStore }

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
 * @example const reply = diagSummary(services, 'service-status', Date.now(), textsFor('en'))
 */
export function diagSummary(
  s: Deps & { events: EventStore },
  route: string | undefined,
  now: number,
  texts: Texts,
): ReplyContent {
  const t = texts.runbook
  const title = t.diagTitle(route ? t.diagRoute(route) : t.diagAll).slice(0, 80)
  const maxBytes = diagnosticBudget(s, route)
  return { title, markdown: errorSummary(s.events, { route, maxBytes, now, sample: true, texts }) }
}
