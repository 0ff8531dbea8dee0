import type { RouterConfig } from '../config.js'
import type { RuntimeState } from '../store/state.js'

// A route's effective budget: runtime override, then the route's config entry, then `budgets.default`.

/** The three limits every route has. */
export interface BudgetLimits {
  /** Prompt tokens one model request may carry (system prompt, question, tool results). */
  maxContextTokens: number
  /** Bytes a diagnostics or tool output may add to a prompt or a reply. */
  maxDiagnosticBytes: number
  /** Tool calls the model may make while answering one request. */
  maxToolCalls: number
}

export type BudgetField = keyof BudgetLimits
export type BudgetSource = 'default' | 'config' | 'runtime'

/** A route's effective budget and where each value came from. */
export interface RouteBudget {
  route: string
  limits: BudgetLimits
  source: Record<BudgetField, BudgetSource>
}

export const BUDGET_FIELDS: readonly BudgetField[] = ['maxContextTokens', 'maxDiagnosticBytes', 'maxToolCalls']

/**
 * The words operators type (`/budget ask context=8000 diag=4096 tools=2`) and the limits they set. Audit
 * entries use these words too: a key containing "token" would be redacted as if it were a secret.
 */
export const BUDGET_WORDS: Readonly<Record<'context' | 'diag' | 'tools', BudgetField>> = {
  context: 'maxContextTokens',
  diag: 'maxDiagnosticBytes',
  tools: 'maxToolCalls',
}

/** Same bounds as the `budgets` block of the config schema, so a runtime value is never one the config would refuse. */
export const BUDGET_BOUNDS: Readonly<Record<BudgetField, { min: number; max: number }>> = {
  maxContextTokens: { min: 1, max: 2_000_000 },
  maxDiagnosticBytes: { min: 1, max: 1_000_000 },
  maxToolCalls: { min: 0, max: 100 },
}

/**
 * A route's budget: runtime override (/budget, routerctl) wins over the route's config entry, which wins
 * over `budgets.default`. Field by field, so overriding one limit keeps the others.
 * @example effectiveBudget(config, state.current().state, 'ask').limits.maxContextTokens // 4000
 */
export function effectiveBudget(
  config: Pick<RouterConfig, 'budgets'>,
  state: Pick<RuntimeState, 'budgets'>,
  route: string,
): RouteBudget {
  const configured = config.budgets.routes[route] ?? {}
  const runtime = state.budgets[route] ?? {}
  const limits = { ...config.budgets.default }
  const source = { maxContextTokens: 'default', maxDiagnosticBytes: 'default', maxToolCalls: 'default' } as Record<
    BudgetField,
    BudgetSource
  >
  for (const field of BUDGET_FIELDS) {
    const fromConfig = configured[field]
    const fromRuntime = runtime[field]
    if (fromRuntime !== undefined) [limits[field], source[field]] = [fromRuntime, 'runtime']
    else if (fromConfig !== undefined) [limits[field], source[field]] = [fromConfig, 'config']
  }
  return { route, limits, source }
}

/**
 * Renders limits with the words operators type, for replies and audit entries.
 * @example budgetWords({ maxContextTokens: 4000, maxDiagnosticBytes: 2048, maxToolCalls: 3 }) // { context: 4000, diag: 2048, tools: 3 }
 */
export function budgetWords(limits: Partial<BudgetLimits>): Partial<Record<keyof typeof BUDGET_WORDS, number>> {
  const out: Partial<Record<keyof typeof BUDGET_WORDS, number>> = {}
  for (const [word, field] of Object.entries(BUDGET_WORDS) as [keyof typeof BUDGET_WORDS, BudgetField][]) {
    if (limits[field] !== undefined) out[word] = limits[field]
  }
  return out
}
