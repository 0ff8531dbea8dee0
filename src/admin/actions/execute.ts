import { errorMessage, isUserError } from '../../errors.js'
import type { AuditInput } from '../../store/audit.js'
import type { ActionActor, ActionDeps, ActionResult, AdminAction, AfterEffect, Executed, Plan } from './action.js'

/**
 * Runs one admin action the one way every channel must: `apply`, its audit entry and its announcement
 * commit in ONE SQLite transaction. `executed` is written only for a change that commits with it; a
 * refusal, a stale request or a no-op is `rejected` (or `failed` for an unexpected error) with the reason,
 * and changes nothing. If the entry cannot be written, nothing changes and this throws.
 * @example const done = applyAction(deps, disableSkill, { skill: 'ping' }, { name: 'alice', channel: 'dingtalk' })
 */
export function applyAction<I, R>(
  deps: ActionDeps,
  action: AdminAction<I, R>,
  input: I,
  actor: ActionActor,
): ActionResult<R> {
  try {
    return deps.audit.transaction(() => applyInTransaction(deps, action, input, actor))
  } catch (err) {
    throw new AuditWriteError(errorMessage(err))
  }
}

/**
 * The same, inside a transaction the caller holds (an approval decides and applies in one).
 * `beforeExecuted` writes what must precede the `executed` entry (the `approved` entry of a request).
 */
export function applyInTransaction<I, R>(
  deps: ActionDeps,
  action: AdminAction<I, R>,
  input: I,
  actor: ActionActor,
  beforeExecuted?: () => void,
): ActionResult<R> {
  const base = entryBase(action.name, actor)
  const newest = deps.state.newestVersion()
  let plan: Plan<R>
  try {
    // A savepoint: whatever `apply` wrote before it threw is undone, the rest of the transaction is not.
    plan = deps.audit.savepoint(() => action.apply(deps, input, actor))
  } catch (err) {
    plan = { kind: 'refuse', outcome: isUserError(err) ? 'rejected' : 'failed', reason: errorMessage(err) }
  }
  if (plan.kind === 'refuse') {
    const entry = deps.audit.append({
      ...base,
      args: withSudo(plan.args ?? argsOf(input), actor),
      outcome: plan.outcome,
      detail: joined(plan.reason, actor.note),
    })
    return { ok: false, outcome: plan.outcome, reason: plan.reason, entry, noop: plan.noop === true }
  }
  beforeExecuted?.()
  let args = plan.args
  const written = deps.state.newestVersion()
  if (written !== newest) {
    // The entry commits to the exact state version it wrote: only such versions are ever applied.
    const v = deps.state.version(written)!
    args = { ...args, stateVersion: v.version, stateHash: v.hash }
  }
  const entry = deps.audit.append({ ...base, args: withSudo(args, actor), outcome: 'executed', detail: actor.note })
  deps.state.refresh()
  if (plan.announce) deps.outbox.add(plan.announce, deps.now())
  return { ok: true, entry, result: plan.result, reply: plan.reply }
}

/**
 * applyAction, then the action's asynchronous effect once the change is committed, audited as its own
 * entry (`args.for` = the action's seq): `executed` when it worked, `failed` when not.
 * @example const done = await runAction(deps, rollbackRelease, { digest }, actor)
 */
export async function runAction<I, R>(
  deps: ActionDeps,
  action: AdminAction<I, R>,
  input: I,
  actor: ActionActor,
): Promise<ActionResult<R>> {
  const done = applyAction(deps, action, input, actor)
  return done.ok ? runAfter(deps, action, input, done, actor) : done
}

/** Runs the asynchronous effect of a committed action, if it has one, and audits it. */
export async function runAfter<I, R>(
  deps: ActionDeps,
  action: AdminAction<I, R>,
  input: I,
  done: Executed<R>,
  actor: ActionActor,
): Promise<Executed<R>> {
  if (!action.after) return done
  let effect: AfterEffect
  try {
    effect = await action.after(deps, input, done, actor)
  } catch (err) {
    effect = {
      action: `${action.name}-effect`,
      ok: false,
      args: {},
      detail: errorMessage(err),
      reply: `…but its follow-up failed: ${errorMessage(err)}`,
    }
  }
  const entry = deps.audit.transaction(() => {
    const e = deps.audit.append({
      ...entryBase(effect.action, actor),
      args: withSudo({ ...effect.args, for: done.entry.seq }, actor),
      outcome: effect.ok ? 'executed' : 'failed',
      detail: effect.detail,
    })
    if (effect.announce) deps.outbox.add(effect.announce, deps.now())
    return e
  })
  const reply = [done.reply, effect.reply].filter(Boolean).join('\n')
  return { ...done, reply, effect: { ok: effect.ok, entry } }
}

/** The fields every entry of one actor's action shares: CLI entries are break-glass with the OS user. */
function entryBase(action: string, actor: ActionActor): Omit<AuditInput, 'outcome'> {
  return {
    actor: actor.name,
    channel: actor.channel,
    action,
    approvalId: actor.approval?.id,
    breakGlass: actor.channel === 'cli',
    osUser: actor.osUser,
  }
}

/** The audit entry could not be written, so the change was not made. */
export class AuditWriteError extends Error {
  constructor(cause: string) {
    super(`could not write the audit entry (${cause}); nothing was changed`)
    this.name = 'AuditWriteError'
  }
}

// The sudo claim travels in every entry of the action, next to the account in osUser.
function withSudo(args: Record<string, unknown>, actor: ActionActor): Record<string, unknown> {
  return actor.sudoUser ? { ...args, sudoUser: actor.sudoUser } : args
}

function argsOf(input: unknown): Record<string, unknown> {
  return input && typeof input === 'object' ? { ...(input as Record<string, unknown>) } : {}
}

function joined(...parts: (string | undefined)[]): string | undefined {
  return parts.filter(Boolean).join('; ') || undefined
}
