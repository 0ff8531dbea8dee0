import { BUDGET_FIELDS, BUDGET_WORDS, budgetWords, effectiveBudget, type BudgetField } from '../../budget/resolve.js'
import { budgetValues, checkRoute } from '../budget-actions.js'
import { checkFloor } from '../../budget/floor.js'
import { byLine, noChange, noticeTexts, replyTexts, type AdminAction } from './action.js'

/** `/budget <route> context=… diag=… tools=…` and `routerctl budget set <route> --context … --reason …`. */
export interface BudgetInput {
  route: string
  context?: string
  diag?: string
  tools?: string
  reason?: string
}

/** What a budget change did: the limits before and after, and the runtime-state version. */
export interface BudgetChange {
  route: string
  before: ReturnType<typeof budgetWords>
  after: ReturnType<typeof budgetWords>
  version: number
}

/**
 * Sets a route's runtime budget override. In chat raising a limit needs a second operator (the command's
 * approval rule); lowering is instant. Values already in force change nothing and say so.
 */
export const budgetAction: AdminAction<BudgetInput, BudgetChange> = {
  name: 'budget',
  apply(deps, input, actor) {
    const say = replyTexts(deps, actor)
    checkRoute(deps, input.route, say)
    const words = { context: input.context, diag: input.diag, tools: input.tools }
    const values = budgetValues(
      Object.fromEntries(Object.entries(words).filter(([, v]) => v !== undefined)) as Record<string, string>,
      say,
    )
    const before = effectiveBudget(deps.config, deps.state.current().state, input.route).limits
    // Below the route's fixed prompt every question would be refused: refuse the budget instead.
    checkFloor(input.route, deps.skills.promptFloor(input.route), { ...before, ...values }, say)
    const changed = BUDGET_FIELDS.filter((f) => values[f] !== undefined && values[f] !== before[f])
    const notice = noticeTexts(deps)
    if (changed.length === 0) return noChange(say.actions.budgetSame(input.route))
    const reason = input.reason ?? (actor.approval ? `approval ${actor.approval.id}` : undefined)
    const next = deps.state.update(actor.name, reason, (draft) => {
      draft.budgets[input.route] = { ...draft.budgets[input.route], ...values }
    })
    const after = effectiveBudget(deps.config, next.state, input.route).limits
    const word = (f: BudgetField) => Object.entries(BUDGET_WORDS).find(([, v]) => v === f)![0]
    const parts = changed.map(
      (f) => `${word(f)} ${before[f].toLocaleString('en-US')} → ${after[f].toLocaleString('en-US')}`,
    )
    const text = (t: typeof say) =>
      t.actions.budgetChanged(input.route, parts.join(', '), byLine(actor, t), next.version, input.reason ?? '')
    return {
      kind: 'change',
      args: { ...input, old: budgetWords(before), new: budgetWords(after) },
      result: { route: input.route, before: budgetWords(before), after: budgetWords(after), version: next.version },
      announce: text(notice),
      reply: text(say),
    }
  },
}
