import type { Services } from '../context.js'
import { UserError } from '../errors.js'
import {
  BUDGET_BOUNDS,
  BUDGET_FIELDS,
  BUDGET_WORDS,
  effectiveBudget,
  type BudgetField,
  type BudgetLimits,
  type RouteBudget,
} from '../budget/resolve.js'
import type { RouteUsage } from '../store/model-usage.js'
import type { Texts } from '../i18n/catalogue.js'

// What /budget and routerctl budget read and check: each route's budget, its recent usage and new values.

type Deps = Pick<Services, 'config' | 'state' | 'skills'>

/** One route's budget with its recent usage, for `/budget` and `routerctl budget`. */
export interface BudgetView extends RouteBudget {
  lastHour?: RouteUsage
}

/**
 * Checks that `route` names a skill (budgets are per skill route); otherwise a UserError listing them.
 * @example checkRoute(services, 'ask', textsFor('en'))
 */
export function checkRoute(s: Pick<Services, 'skills'>, route: string, t: Texts): void {
  if (s.skills.get(route)) return
  const routes = s.skills.skills.map((d) => d.name).join(', ')
  throw new UserError(t.budgetAdmin.unknownRoute(route.slice(0, 64), routes), 'unknown_route')
}

/**
 * Reads `context=`, `diag=`, `tools=` values (numbers or numeric strings) within the config schema's bounds.
 * @example budgetValues({ context: '8000', tools: '2' }, textsFor('en')) // { maxContextTokens: 8000, maxToolCalls: 2 }
 */
export function budgetValues(
  words: Partial<Record<keyof typeof BUDGET_WORDS, string | number>>,
  t: Texts,
): Partial<BudgetLimits> {
  const out: Partial<BudgetLimits> = {}
  for (const [word, field] of Object.entries(BUDGET_WORDS) as [keyof typeof BUDGET_WORDS, BudgetField][]) {
    const raw = words[word]
    if (raw === undefined) continue
    const value = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(raw.trim()) ? Number(raw) : NaN
    const { min, max } = BUDGET_BOUNDS[field]
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UserError(t.budgetAdmin.badValue(word, min, max), 'bad_budget')
    }
    out[field] = value
  }
  if (Object.keys(out).length === 0) throw new UserError(t.budgetAdmin.noValue, 'bad_budget')
  return out
}

/**
 * The limits these values would raise above the route's effective budget: raising needs a second
 * operator in chat, lowering (or keeping) a limit does not.
 * @example raisedLimits(services, 'ask', { maxContextTokens: 8000 }) // ['maxContextTokens'] when it is 4000 now
 */
export function raisedLimits(s: Deps, route: string, values: Partial<BudgetLimits>): BudgetField[] {
  const current = effectiveBudget(s.config, s.state.current().state, route).limits
  return BUDGET_FIELDS.filter((f) => values[f] !== undefined && values[f]! > current[f])
}

/**
 * Every route's budget (or one route's) with its usage over the last hour.
 * @example describeBudgets(services, Date.now(), 'ask', textsFor('en'))[0].limits.maxToolCalls // 3
 */
export function describeBudgets(
  s: Deps & Pick<Services, 'modelUsage'>,
  now: number,
  route: string | undefined,
  t: Texts,
): BudgetView[] {
  if (route !== undefined) checkRoute(s, route, t)
  const state = s.state.current().state
  const usage = new Map(s.modelUsage.summary(now - 3_600_000, route).map((u) => [u.route, u]))
  const routes = route !== undefined ? [route] : s.skills.skills.map((d) => d.name)
  return routes.map((r) => ({ ...effectiveBudget(s.config, state, r), lastHour: usage.get(r) }))
}

/**
 * One route's usage in a line, for /budget, /status and routerctl (which passes English).
 * @example formatUsage(usage, textsFor('en')) // '12 requests, 8,400 prompt + 1,200 completion tokens, 5 tool calls, cache 3 hit / 9 miss, 1 refused, …'
 */
export function formatUsage(u: RouteUsage, texts: Texts): string {
  return texts.budgetAdmin.usage(u)
}
