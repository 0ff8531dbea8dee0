import { compose } from '../compose.js'
import type { Context } from '../context.js'
import type { RouterConfig } from '../config.js'
import { approval } from './approval.js'
import { budget } from './budget.js'
import { dispatch } from './dispatch.js'
import { inFlightGuard } from './in-flight-guard.js'
import { observe } from './observe.js'
import { parse } from './parse.js'
import { policy } from './policy.js'
import { ratelimit } from './ratelimit.js'
import { route } from './route.js'

/**
 * The one path every message takes. Order matters: nothing is revealed or run before `policy`, and
 * nothing runs before the audit entries that `policy`, `approval` and the executor commit. `budget` follows
 * `route` because budgets are per route, and comes before anything that runs or reaches a model.
 */
export function createPipeline(config: RouterConfig): (ctx: Context) => Promise<void> {
  return compose<Context>([
    observe(),
    inFlightGuard(),
    ratelimit(config.limits),
    parse(config.limits),
    policy(),
    route(),
    budget(),
    approval(),
    dispatch(),
  ])
}
