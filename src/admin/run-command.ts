import type { CommandContext } from '../context.js'
import type { CommandDefinition } from '../define.js'
import type { ReplyContent } from '../define.js'
import { errorMessage, isUserError } from '../errors.js'
import type { ActionResult } from './actions/action.js'
import { AuditWriteError, runAction } from './actions/execute.js'

/**
 * Runs a routed chat command. A form that calls an admin action goes through the one executor (change,
 * entry and announcement in one transaction); /approve and /deny audit their own decisions; a read is
 * answered and then audited `executed` (or `rejected`/`failed` when it could not answer).
 * @example const reply = await runCommand(def, args, commandContext(ctx))
 */
export async function runCommand<A>(def: CommandDefinition<A>, args: A, cctx: CommandContext): Promise<ReplyContent> {
  const call = def.action?.(args)
  if (call) {
    try {
      const done = await runAction(cctx.services, call.action, call.input, {
        name: cctx.operator.name,
        channel: cctx.channel,
      })
      return done.ok && def.format ? def.format(done, cctx) : actionReply(def.name, done)
    } catch (err) {
      if (!(err instanceof AuditWriteError)) throw err
      cctx.log.error({ err: err.message }, 'audit write failed; command not run')
      return `The audit trail could not be written (${err.message.slice(0, 160)}), so /${def.name} was NOT run.`
    }
  }
  if (!def.handler) return `Usage: ${def.usage}`
  if (def.selfAudited) return def.handler({ args, ctx: cctx })
  const base = {
    actor: cctx.operator.name,
    channel: cctx.channel,
    action: def.name,
    args: args as Record<string, unknown>,
  }
  let reply: ReplyContent
  try {
    reply = await def.handler({ args, ctx: cctx })
  } catch (err) {
    const outcome = isUserError(err) ? 'rejected' : 'failed'
    cctx.services.audit.append({ ...base, outcome, detail: errorMessage(err) })
    if (isUserError(err)) return err.message
    cctx.log.error({ err: errorMessage(err) }, `/${def.name} failed`)
    return `/${def.name} failed: ${errorMessage(err).slice(0, 200)}`
  }
  try {
    cctx.services.audit.append({ ...base, outcome: 'executed' })
  } catch (err) {
    cctx.log.error({ err: errorMessage(err) }, 'audit write failed; answer withheld')
    return `The audit trail could not be written (${errorMessage(err).slice(0, 120)}), so the answer to /${def.name} is withheld.`
  }
  return reply
}

/**
 * What the operator reads about an action: its own reply when it was committed, else what stopped it.
 * @example actionReply('disable-skill', done) // 'Nothing changed: "ping" is already off.'
 */
export function actionReply(command: string, done: ActionResult<unknown>): string {
  if (done.ok) return done.reply
  if (done.noop) return `Nothing changed: ${done.reason.replace(/^no change: /, '')}.`
  if (done.outcome === 'rejected') return done.reason
  return `/${command} failed, nothing changed: ${done.reason.slice(0, 200)}`
}
