/**
 * Set-up for the budget and model tests: the real router against the simulator, with the `ask` skill
 * pointed at a fake Chat Completions server on loopback.
 */
import type { RouterConfig } from '../../src/config.js'
import type { BudgetLimits } from '../../src/budget/resolve.js'
import type { FakeModel } from './fake-model.js'
import { OP1, OPS, startTestRouter, withoutMentions, type TestRouter, type TestRouterOptions } from './router.js'

/** The model API key of every budget test; no log line may contain it. */
export const MODEL_KEY = 'sk-test-model-key-7f3c9e1a'

export interface BudgetRouterOptions extends TestRouterOptions {
  /** The fake model; without one, no model is configured. */
  fake?: FakeModel
  /** Per-route budget overrides in the config (`budgets.routes`). */
  routes?: Record<string, Partial<BudgetLimits>>
  /** Tweaks to `model` and `egress` on top of the defaults below. */
  model?: Partial<RouterConfig['model']>
  egress?: Partial<RouterConfig['egress']>
}

/**
 * A test router whose `ask` skill talks to `fake` (key from MODEL_API_KEY, as in production).
 * @example r = await startBudgetRouter({ fake, routes: { ask: { maxToolCalls: 2 } } })
 */
export async function startBudgetRouter(o: BudgetRouterOptions = {}): Promise<TestRouter> {
  return startTestRouter({
    ...o,
    env: { ...(o.fake ? { MODEL_API_KEY: MODEL_KEY } : {}), ...o.env },
    configure: (c) => {
      const config: RouterConfig = {
        ...c,
        budgets: { ...c.budgets, routes: { ...c.budgets.routes, ...o.routes } },
        model: o.fake
          ? { ...c.model, baseUrl: o.fake.baseUrl, name: 'fake-model', timeoutMs: 5000, ...o.model }
          : c.model,
        egress: { ...c.egress, allowHttpLoopback: o.fake ? [o.fake.dest] : [], ...o.egress },
      }
      return o.configure ? o.configure(config) : config
    },
  })
}

/** The reply text of an `ask` through the real SDK and simulator, from an end user (or an operator in the admin group). */
export async function ask(r: TestRouter, question: string, as: 'user' | 'operator' = 'user'): Promise<string> {
  const from = as === 'operator' ? { senderStaffId: OP1.staffId, conversationId: OPS } : {}
  return withoutMentions(await r.say({ text: `ask ${question}`, ...from }))
}
