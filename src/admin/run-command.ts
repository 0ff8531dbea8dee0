import type { CommandContext } from '../context.js'
import type { CommandDefinition } from '../define.js'
import type { ReplyContent } from '../define.js'
import type { Texts } from '../i18n/catalogue.js'
import { errorMessage, isUserError } from '../errors.js'
import type { ActionResult } from './actions/action.js'
import { AuditWriteError, runAction } from './actions/execute.js'

/** What a routed command answered, and whether the router failed to do what was asked. */
export interface CommandResult {
  reply: ReplyContent
  /**
   * True when the router could not do what the operator asked: the audit entry could not be written
   * (nothing was changed, or a read's answer was withheld), the action or the handler threw an unexpected
   * error (audited `failed`), or a committed action's follow-up, such as the release rollback hook, failed.
   * False for a correct answer, and a deliberate refusal is one: nothing to change, a request the action
   * rejects (an unknown skill, a stale dry run), a handler's UserError, the usage line. The chat pipeline
   * counts a failure as an error of the command's route (dispatch.ts, observe.ts).
   */
  failed: boolean
}

/**
 * Runs a routed chat command. A form that calls an admin action goes through the one executor (change,
 * entry and announcement in one transaction); /approve and /deny audit their own decisions; a read is
 * answered and then audited `executed` (or `rejected`/`failed` when it could not answer).
 * @example const { reply, failed } = await runCommandWithResult(def, args, commandContext(ctx))
 */
export async function runCommandWithResult<A>(
  def: CommandDefinition<A>,
  args: A,
  cctx: CommandContext,
): Promise<CommandResult> {
  const call = def.action?.(args)
  if (call) {
    try {
      const done = await runAction(cctx.services, call.action, call.input, {
        name: cctx.operator.name,
        channel: cctx.channel,
      })
      const reply = done.ok && def.format ? def.format(done, cctx) : actionReply(def.name, done, cctx.texts)
      return { reply, failed: actionFailed(done) }
    } catch (err) {
      if (!(err instanceof AuditWriteError)) throw err
      cctx.log.error({ err: err.message }, 'audit write failed; command not run')
      return { reply: cctx.texts.admin.auditNotRun(err.message.slice(0, 160), def.name), failed: true }
    }
  }
  if (!def.handler) return { reply: cctx.texts.admin.usage(def.usage), failed: false }
  // The decision entries are its record; the handler says through markFailed when a decision's action failed,
  // and what goes wrong outside one throws (observe counts it).
  if (def.selfAudited) {
    let failed = false
    const reply = await def.handler({ args, ctx: { ...cctx, markFailed: () => void (failed = true) } })
    return { reply, failed }
  }
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
    if (isUserError(err)) return { reply: err.message, failed: false }
    cctx.log.error({ err: errorMessage(err) }, `/${def.name} failed`)
    return { reply: cctx.texts.admin.failed(def.name, errorMessage(err).slice(0, 200)), failed: true }
  }
  try {
    cctx.services.audit.append({ ...base, outcome: 'executed' })
  } catch (err) {
    cctx.log.error({ err: errorMessage(err) }, 'audit write failed; answer withheld')
    return { reply: cctx.texts.admin.auditWithheld(errorMessage(err).slice(0, 120), def.name), failed: true }
  }
  return { reply, failed: false }
}

/**
 * The same, the answer alone: for callers that count no message (a card's button, a read run once its
 * approval committed).
 * @example const reply = await runCommand(def, args, cctx)
 */
export async function runCommand<A>(def: CommandDefinition<A>, args: A, cctx: CommandContext): Promise<ReplyContent> {
  return (await runCommandWithResult(def, args, cctx)).reply
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

/**
 * Whether an action's result means the router failed to do what was asked: it was not committed because it
 * failed (not because it was refused), or it committed and its follow-up (the rollback hook) failed.
 * @example if (actionFailed(done)) ctx.markFailed?.()
 */
export function actionFailed(done: ActionResult<unknown>): boolean {
  return done.ok ? done.effect?.ok === false : done.outcome === 'failed'
}
