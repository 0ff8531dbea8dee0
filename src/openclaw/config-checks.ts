import type { RouterConfig } from '../config-schema.js'
import { destinationOf, isLoopbackHost, lenientDestination } from '../egress/destination.js'

// Cross-checks between the `openclaw` block and the rest of the configuration.

type Checked = Pick<RouterConfig, 'openclaw' | 'budgets' | 'egress'>

/**
 * Problems between the `openclaw` block and the rest of the config, found before anything connects: a
 * route's budget set in two places, or a Gateway URL the egress client would refuse at the first message.
 * @example openclawProblems(config) // ['openclaw.routes.claw.baseUrl: …']
 */
export function openclawProblems(c: Checked): string[] {
  const problems: string[] = []
  const httpLoopback = new Set(c.egress.allowHttpLoopback.map(lenientDestination))
  for (const [name, r] of Object.entries(c.openclaw.routes)) {
    if (r.budget && c.budgets.routes[name])
      problems.push(
        `openclaw.routes.${name}.budget: budgets.routes.${name} is set too; keep the route's budget in one place`,
      )
    const url = new URL(r.baseUrl)
    if (url.protocol !== 'http:') continue
    if (!isLoopbackHost(url.hostname.replace(/^\[|\]$/g, '')))
      problems.push(
        `openclaw.routes.${name}.baseUrl: plain http is allowed only to a loopback Gateway; use https (the Gateway's gateway.tls or a TLS proxy)`,
      )
    else if (!httpLoopback.has(lenientDestination(destinationOf(r.baseUrl))))
      problems.push(
        `openclaw.routes.${name}.baseUrl: a plain-http loopback Gateway must be listed in egress.allowHttpLoopback (${destinationOf(r.baseUrl)})`,
      )
  }
  return problems
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
