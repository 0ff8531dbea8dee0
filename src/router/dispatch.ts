import { DONE, type Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { runCommandWithResult } from '../admin/run-command.js'
import { commandContext } from './approval.js'
import { runSkill } from './run-skill.js'

/** Runs what `route` picked: an admin command (its action through the one executor), or a skill. */
export function dispatch(): Middleware<Context> {
  // Not async: the skill's run is the step's promise (no promise and frame more per message, see compose.ts).
  return function dispatch(ctx) {
    if (ctx.command && ctx.operator) return runAndAnswer(ctx, ctx.command)
    return ctx.skill ? runSkill(ctx, ctx.skill.def, ctx.skill.rawArgs) : DONE
  }
}

async function runAndAnswer(ctx: Context, { def, args }: NonNullable<Context['command']>): Promise<void> {
  const { reply, failed } = await runCommandWithResult(def, args, commandContext(ctx))
  // A command the router could not carry out (its audit entry not written, its action failed) is an error of
  // its route, which observe() counts; a deliberate refusal is a correct answer (see CommandResult).
  ctx.outcome = failed ? 'error' : 'replied'
  await ctx.reply(reply)
}
