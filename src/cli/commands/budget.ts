import { budgetValues, describeBudgets, formatUsage, setRouteBudget } from '../../admin/budget-actions.js'
import { budgetWords } from '../../budget/resolve.js'
import { configSchema } from '../../config-schema.js'
import { isUserError } from '../../errors.js'
import { reasonFlag, runBreakGlass } from '../break-glass.js'
import { CliFailure, EXIT, type CliCommand, type CliIo } from '../command.js'
import type { CliSession } from '../session.js'
import { botConfig } from './ops-config.js'

const amount = {
  kind: 'value',
  placeholder: '<n>',
  validate: (v: string) => (/^\d{1,9}$/.test(v) ? undefined : 'expected a whole number'),
} as const

function deps(session: CliSession, io: CliIo) {
  // Budgets resolve against the bot's config; with a broken config the defaults apply, as in the bot's schema.
  return { ...session.stores, skills: session.skills, config: botConfig(io) ?? configSchema.parse({}) }
}

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
    const views = refusal(() => describeBudgets(deps(session, io), io.now(), route))
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
      if (v.lastHour) io.out(`  last hour: ${formatUsage(v.lastHour)}`)
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
  run({ args, io, session }) {
    const route = args.positionals.route!
    const reason = String(args.flags.reason)
    const words = { context: args.flags.context, diag: args.flags.diag, tools: args.flags.tools } as Record<
      string,
      string | undefined
    >
    const values = refusal(() =>
      budgetValues(
        Object.fromEntries(Object.entries(words).filter(([, v]) => v !== undefined)) as Record<
          'context' | 'diag' | 'tools',
          string
        >,
      ),
    )
    const d = deps(session, io)
    refusal(() => describeBudgets(d, io.now(), route))
    const done = runBreakGlass(session, io, {
      action: 'budget',
      args: { route, ...words },
      reason,
      summary: `set the budget of ${route} (${Object.entries(words)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`,
      unchanged: () => undefined,
      apply: (actor) =>
        setRouteBudget(d, { route, values, actor, channel: 'cli', reason, breakGlass: true, osUser: actor }),
    })
    if (!done.changed) return EXIT.ok
    const change = done.result
    if (change.changed.length === 0) io.out(`the budget of ${route} already has those values; nothing changed.`)
    else
      io.out(
        `budget of ${route}: ${JSON.stringify(budgetWords(change.before))} → ${JSON.stringify(budgetWords(change.after))} (state version ${change.version}).`,
      )
    return EXIT.ok
  },
}
