import type { Context } from '../context.js'
import type { SkillContext, SkillDefinition } from '../define.js'
import type { EgressClient } from '../egress/client.js'
import { adminStanding } from '../router/identity.js'
import { diagnosticsService } from './diagnostics.js'
import { effectiveBudget } from './resolve.js'

/**
 * The services a skill declared in `needs`, bound to this request: its route's budget (as the budget step
 * resolved it), its own egress client and logger. Undeclared services are simply absent. The diagnostics are
 * the error events behind /diag: operator-only data, so a skill gets them only for a sender who could run
 * /diag in this conversation (least privilege: a skill sees only what its user may see).
 * @example const ctx = { egress, log, ...declaredServices(context, def, egress) }
 */
export function declaredServices(
  ctx: Context,
  def: SkillDefinition<unknown>,
  egress: EgressClient,
): Pick<SkillContext, 'model' | 'diagnostics' | 'openclaw'> {
  const needs = def.needs
  if (!needs) return {}
  const { services } = ctx
  const budget = ctx.budget?.limits ?? effectiveBudget(services.config, ctx.state.state, def.name).limits
  return {
    model: needs.model ? services.model?.forRoute({ route: def.name, budget, egress, log: ctx.log }) : undefined,
    diagnostics:
      needs.diagnostics && adminStanding(ctx.msg, services).ok
        ? diagnosticsService(services.events, budget.maxDiagnosticBytes, services.now)
        : undefined,
    openclaw: needs.openclaw
      ? services.openclaw?.forRequest({ route: def.name, budget, egress, log: ctx.log, msg: ctx.msg })
      : undefined,
  }
}
