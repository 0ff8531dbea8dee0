import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { textsFor } from '../i18n/catalogue.js'
import { toArgsInput } from './command-parser.js'
import { senderActor } from './identity.js'
import { auditRefusedCommand } from './refused-command.js'

// The `route` step: picks a known command with valid args, or the first skill whose pattern fits.

/**
 * Picks the handler: a known command with valid args (a zod failure answers with the usage line),
 * or the first skill whose `match` fits.
 */
export function route(): Middleware<Context> {
  // Not async: a step that only checks and hands on needs no promise and frame of its own (see compose.ts).
  return function route(ctx, next) {
    const texts = ctx.texts.router
    const parse = ctx.commandParse
    if (parse) {
      // Only operators get this far with a `/command`: their replies are in the admin group's language.
      const t = textsFor(ctx.services.config.locale).admin
      if (!parse.ok) {
        ctx.outcome = 'no-match'
        auditRejected(ctx, parse.name ?? '?', 'unreadable')
        return ctx.reply(t.unreadableCommand(parse.error))
      }
      const def = ctx.services.commands.get(parse.command.name)
      if (!def) {
        ctx.outcome = 'no-match'
        auditRejected(ctx, parse.command.name, 'unknown command')
        return ctx.reply(t.unknownCommand(parse.command.name.slice(0, 40)))
      }
      ctx.route = `/${def.name}`
      const input = toArgsInput(parse.command, def.positional)
      if (!input.ok) {
        ctx.outcome = 'no-match'
        auditRejected(ctx, def.name, 'usage')
        return ctx.reply(t.badArguments(def.usage, input.error))
      }
      const args = def.args.safeParse(input.input)
      if (!args.success) {
        ctx.outcome = 'no-match'
        const problem = args.error.issues[0]
        const where = problem?.path.length ? `${problem.path.join('.')}: ` : ''
        auditRejected(ctx, def.name, 'usage')
        return ctx.reply(t.badArguments(def.usage, problem ? `${where}${t.argumentProblem(problem.message)}` : ''))
      }
      ctx.command = { parsed: parse.command, def, args: args.data }
      return next()
    }
    const match = ctx.services.skills.match(ctx.msg.text)
    if (!match) {
      ctx.outcome = 'no-match'
      return ctx.reply(texts.noMatch)
    }
    ctx.route = match.def.name
    ctx.skill = match
    return next()
  }
}

// An operator's command refused before it could run (unreadable, unknown, bad arguments) is still an admin
// attempt: it goes on the record as `rejected`, like the refusals of `policy`.
function auditRejected(ctx: Context, action: string, reason: string): void {
  auditRefusedCommand(ctx.services.audit, ctx.msg, ctx.operator?.name ?? senderActor(ctx.msg), action, reason)
}
