import type { CommandContext } from '../context.js'
import type { CommandDefinition } from '../define.js'
import type { ReplyContent } from '../dingtalk/openapi.js'
import { errorMessage, isUserError } from '../errors.js'

/**
 * Runs an admin command the one way every channel must: the `executed` audit entry is committed first,
 * and if that write fails the command does not run. A failure is audited as `failed`.
 */
export async function executeCommand<A>(
  def: CommandDefinition<A>,
  args: A,
  cctx: CommandContext,
): Promise<ReplyContent> {
  const { audit } = cctx.services
  const base = {
    actor: cctx.operator.name,
    channel: cctx.channel,
    action: def.name,
    args: args as Record<string, unknown>,
    approvalId: cctx.approvalId,
    breakGlass: cctx.channel === 'cli',
    detail: cctx.requestedBy ? `approved by ${cctx.operator.name}, requested by ${cctx.requestedBy}` : undefined,
  }
  try {
    audit.append({ ...base, outcome: 'executed' })
  } catch (err) {
    cctx.log.error({ err: errorMessage(err) }, 'audit write failed; command not run')
    return `The audit trail could not be written (${errorMessage(err).slice(0, 120)}), so /${def.name} was NOT run.`
  }
  try {
    return await def.handler({ args, ctx: cctx })
  } catch (err) {
    try {
      audit.append({ ...base, outcome: 'failed', detail: [base.detail, errorMessage(err)].filter(Boolean).join('; ') })
    } catch (auditErr) {
      cctx.log.error({ err: errorMessage(auditErr) }, 'could not audit a failed command')
    }
    if (isUserError(err)) return err.message
    cctx.log.error({ err: errorMessage(err) }, `/${def.name} failed`)
    return `/${def.name} failed: ${errorMessage(err).slice(0, 200)}`
  }
}

/** Whether this command, with these args, needs a second operator; the config can force or waive it. */
export function approvalRule<A>(def: CommandDefinition<A>, args: A, cctx: CommandContext): 'none' | 'second-operator' {
  const forced = cctx.services.config.approvals.require[def.name]
  if (forced !== undefined) return forced ? 'second-operator' : 'none'
  return typeof def.approval === 'function' ? def.approval(args, cctx) : def.approval
}
