import { z } from 'zod'
import { actionCall, defineCommand } from '../src/define.js'
import {
  budgetValues,
  checkRoute,
  describeBudgets,
  formatUsage,
  raisedLimits,
  type BudgetView,
} from '../src/admin/budget-actions.js'
import { budgetAction } from '../src/admin/actions/budget.js'
import { markdownReply, table } from '../src/admin/markdown.js'
import { BUDGET_WORDS } from '../src/budget/resolve.js'
import { checkFloor } from '../src/budget/floor.js'
import type { ReplyContent } from '../src/define.js'
import type { RouteUsage } from '../src/store/model-usage.js'
import type { Texts } from '../src/i18n/catalogue.js'

// /budget: shows a route's token, diagnostics and tool-call budgets with recent usage, or sets them.

const number = z
  .string()
  .regex(/^\d{1,9}$/, 'a whole number')
  .optional()
const args = z
  .strictObject({
    route: z.string().trim().toLowerCase().min(1).max(64).optional(),
    context: number,
    diag: number,
    tools: number,
  })
  .refine((a) => a.route !== undefined || (a.context ?? a.diag ?? a.tools) === undefined, {
    message: 'name the route to change',
    path: ['route'],
  })

type Args = z.infer<typeof args>
const setting = (a: Args) => (a.context ?? a.diag ?? a.tools) !== undefined

export default defineCommand({
  name: 'budget',
  description: 'Show or set the token, diagnostics and tool-call budgets of a route',
  usage: '/budget [route] | /budget <route> context=<tokens> diag=<bytes> [tools=<n>]',
  positional: ['route'],
  args,
  // Lowering a budget narrows what a route may spend, so it is instant; raising any limit widens it.
  approval: (a, ctx) => {
    if (!setting(a) || !a.route) return 'none'
    try {
      return raisedLimits(ctx.services, a.route, budgetValues(a, ctx.texts)).length > 0 ? 'second-operator' : 'none'
    } catch {
      return 'none' // an unknown route or a bad value: the handler answers with what is wrong
    }
  },
  preview: ({ args: a, ctx }) => {
    checkRoute(ctx.services, a.route!, ctx.texts)
    const current = describeBudgets(ctx.services, ctx.services.now(), a.route, ctx.texts)[0]!.limits
    const values = budgetValues(a, ctx.texts)
    // Refused before a request is opened: an approval for a budget that cannot work helps nobody.
    checkFloor(a.route!, ctx.services.skills.promptFloor(a.route!), { ...current, ...values }, ctx.texts)
    const t = ctx.texts.budgetAdmin
    const lines = Object.entries(BUDGET_WORDS)
      .filter(([, f]) => values[f] !== undefined)
      .map(([word, f]) => `- ${word}: ${n(current[f])} → ${n(values[f]!)}${values[f]! > current[f] ? t.raise : ''}`)
    return [t.previewHead(a.route!), ...lines].join('\n')
  },
  action: (a) =>
    setting(a)
      ? actionCall(budgetAction, { route: a.route!, context: a.context, diag: a.diag, tools: a.tools })
      : undefined,
  handler: ({ args: a, ctx }) =>
    show(describeBudgets(ctx.services, ctx.services.now(), a.route, ctx.texts), a.route !== undefined, ctx.texts),
})

function show(views: BudgetView[], one: boolean, texts: Texts): ReplyContent {
  const t = texts.budgetAdmin
  const usageLine = (u: RouteUsage | undefined) => (u ? formatUsage(u, texts) : t.noUse)
  if (one) {
    const v = views[0]!
    return markdownReply(t.oneTitle(v.route), [
      `### ${t.oneTitle(v.route)}`,
      t.context(n(v.limits.maxContextTokens), v.source.maxContextTokens),
      t.diag(n(v.limits.maxDiagnosticBytes), v.source.maxDiagnosticBytes),
      t.tools(n(v.limits.maxToolCalls), v.source.maxToolCalls),
      t.lastHour(usageLine(v.lastHour)),
      '',
      t.change(v.route),
    ])
  }
  return markdownReply(t.allTitle, [
    `### ${t.allTitle}`,
    ...table(
      [t.colRoute, 'context', 'diag', 'tools', t.colLastHour],
      views.map((v) => [
        v.route,
        n(v.limits.maxContextTokens),
        n(v.limits.maxDiagnosticBytes),
        n(v.limits.maxToolCalls),
        usageLine(v.lastHour),
      ]),
    ),
    '',
    t.allFooter,
  ])
}

function n(value: number): string {
  return value.toLocaleString('en-US')
}
