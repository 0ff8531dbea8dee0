import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { runCommand } from '../admin/run-command.js'
import { commandContext } from './approval.js'
import { runSkill } from './run-skill.js'

/** Runs what `route` picked: an admin command (its action through the one executor), or a skill. */
export function dispatch(): Middleware<Context> {
  return async function dispatch(ctx) {
    if (ctx.command && ctx.operator) {
      const { def, args } = ctx.command
      const result = await runCommand(def, args, commandContext(ctx))
      ctx.outcome = 'replied'
      await ctx.reply(result)
      return
    }
    if (ctx.skill) await runSkill(ctx, ctx.skill.def, ctx.skill.rawArgs)
  }
}
