import { describeBudgets, formatUsage } from '../../admin/budget-actions.js'
import { textsFor } from '../../i18n/catalogue.js'
import { budgetAction } from '../../admin/actions/budget.js'
import { budgetWords } from '../../budget/resolve.js'
import { isUserError } from '../../errors.js'
import { cliDeps, reasonFlag, runBreakGlass } from '../break-glass.js'
import { CliFailure, EXIT, type CliCommand } from '../command.js'

// `routerctl budget` and `budget set`: the route budgets, shown or raised at once (break-glass).

const amount = {
  kind: 'value',
  placeholder: '<n>',
  validate: (v: string) => (/^\d{1,9}$/.test(v) ? undefined : 'expected a whole number'),
} as const

/** Turns an operator-facing UserError into the CLI's refusal (exit 1). */
function refusal<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (isUserError(err)) throw new CliFailure(err.message)
    throw err
  }
}

/**
 * `budget [--route <r>]`: every route's budget, where each value comes from, and the last hour's usage.
 * @example routerctl budget --route ask
 */
export const budgetShowCommand: CliCommand = {
  name: 'budget',
  summary: 'show route budgets and the last hour of usage',
  positionals: [],
  flags: { route: { kind: 'value', placeholder: '<route>' }, json: { kind: 'switch' } },
  mutates: false,
  run({ args, io, session }) {
    const route = args.flags.route === undefined ? undefined : String(args.flags.route)
    const views = refusal(() =>
      describeBudgets(
        { ...cliDeps(session, io), modelUsage: session.stores.modelUsage },
        io.now(),
        route,
        textsFor('en'),
      ),
    )
    if (args.flags.json) {
      for (const v of views)
        io.out(
          JSON.stringify({ route: v.route, ...budgetWords(v.limits), source: v.source, lastHour: v.lastHour ?? null }),
        )
      return EXIT.ok
    }
    for (const v of views) {
      const w = budgetWords(v.limits)
      io.out(
        `${v.route}: context=${w.context} (${v.source.maxContextTokens}) diag=${w.diag} (${v.source.maxDiagnosticBytes}) tools=${w.tools} (${v.source.maxToolCalls})`,
      )
      if (v.lastHour) io.out(`  last hour: ${formatUsage(v.lastHour, textsFor('en'))}`)
    }
    return EXIT.ok
  },
}

/**
 * `budget set <route> [--context n] [--diag n] [--tools n]`: raises or lowers at once (SSH is the gate),
 * versioned and audited with old and new values, and announced by the running bot.
 * @example routerctl budget set ask --context 2000 --reason "runaway prompts during incident"
 */
export const budgetSetCommand: CliCommand = {
  name: 'budget set',
  summary: "set a route's budget at once (audited as break-glass, announced)",
  positionals: ['route'],
  flags: { context: amount, diag: amount, tools: amount, reason: reasonFlag },
  mutates: true,
  async run({ args, io, session }) {
    // The fixed prompt of each route, so a budget below it is refused here as in chat.
    await session.skills.measurePrompts()
    const flag = (name: string) => (args.flags[name] === undefined ? undefined : String(args.flags[name]))
    const input = {
      route: args.positionals.route!,
      context: flag('context'),
      diag: flag('diag'),
      tools: flag('tools'),
      reason: String(args.flags.reason),
    }
    return (await runBreakGlass(session, io, budgetAction, input)).code
  },
}
