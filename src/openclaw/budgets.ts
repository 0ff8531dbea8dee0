import type { RouterConfig } from '../config-schema.js'

/**
 * Problems between the `openclaw` block and the rest of the config: a route's budget set in two places.
 * @example openclawProblems(config) // ['openclaw.routes.claw.budget: …']
 */
export function openclawProblems(c: Pick<RouterConfig, 'openclaw' | 'budgets'>): string[] {
  return Object.entries(c.openclaw.routes)
    .filter(([name, r]) => r.budget && c.budgets.routes[name])
    .map(
      ([name]) =>
        `openclaw.routes.${name}.budget: budgets.routes.${name} is set too; keep the route's budget in one place`,
    )
}

/**
 * The config with each OpenClaw route's budget copied into `budgets.routes`, where the budget step, /budget
 * and routerctl read every route's budget (runtime overrides still win over it).
 * @example effectiveBudget(withOpenClawBudgets(config), state, 'claw')
 */
export function withOpenClawBudgets<C extends Pick<RouterConfig, 'openclaw' | 'budgets'>>(c: C): C {
  const routes = { ...c.budgets.routes }
  for (const [name, r] of Object.entries(c.openclaw.routes)) if (r.budget && !routes[name]) routes[name] = r.budget
  return { ...c, budgets: { ...c.budgets, routes } }
}
