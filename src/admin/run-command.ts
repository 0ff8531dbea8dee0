import type { CommandContext } from '../context.js'
import type { CommandDefinition } from '../define.js'
import type { ReplyContent } from '../define.js'
import type { Texts } from '../i18n/catalogue.js'
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
      return done.ok && def.format ? def.format(done, cctx) : actionReply(def.name, done, cctx.texts)
    } catch (err) {
      if (!(err instanceof AuditWriteError)) throw err
      cctx.log.error({ err: err.message }, 'audit write failed; command not run')
      return cctx.texts.admin.auditNotRun(err.message.slice(0, 160), def.name)
    }
  }
  if (!def.handler) return cctx.texts.admin.usage(def.usage)
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
    return cctx.texts.admin.failed(def.name, errorMessage(err).slice(0, 200))
  }
  try {
    cctx.services.audit.append({ ...base, outcome: 'executed' })
  } catch (err) {
    cctx.log.error({ err: errorMessage(err) }, 'audit write failed; answer withheld')
    return cctx.texts.admin.auditWithheld(errorMessage(err).slice(0, 120), def.name)
  }
  return reply
}

/**
 * What the operator reads about an action: its own reply when it was committed, else what stopped it
 * (routerctl passes the English texts: its output is a CLI contract).
 * @example actionReply('disable-skill', done, textsFor('en')) // 'Nothing changed: "ping" is already off.'
 */
export function actionReply(command: string, done: ActionResult<unknown>, t: Texts): string {
  if (done.ok) return done.reply
  if (done.noop) return t.admin.nothingChanged(done.reason.replace(/^no change: /, ''))
  if (done.outcome === 'rejected') return done.reason
  return t.admin.actionFailed(command, done.reason.slice(0, 200))
}
