import type { Services } from '../context.js'
import { UserError } from '../errors.js'
import type { AuditChannel } from '../store/audit.js'
import { EMPTY_STATE, type RuntimeState } from '../store/state.js'
import { diffJson, formatChanges, type Change } from './rollback-diff.js'

type Deps = Pick<Services, 'state' | 'releases' | 'audit'>

/** Which version a config rollback restores, over which current version, and why that one. */
export interface ConfigPlan {
  current: { version: number; state: RuntimeState }
  target: { version: number; state: RuntimeState }
  why: string
  changes: Change[]
}

/**
 * Resolves the target: the given version, else the last known-good one (when it is not the current one),
 * else the version before the last change. Version 0 is the empty initial state.
 * @example planConfigRollback(services).target.version // 3
 */
export function planConfigRollback(s: Pick<Deps, 'state' | 'releases'>, version?: number): ConfigPlan {
  const current = s.state.current()
  let target: number
  let why: string
  const knownGood = s.releases.lastKnownGoodConfigVersion()
  if (version !== undefined) {
    target = version
    why = 'as asked'
  } else if (knownGood !== undefined && knownGood !== current.version) {
    target = knownGood
    why = 'the last known-good version'
  } else if (current.version > 0) {
    target = current.version - 1
    why = 'the version before the last change'
  } else {
    throw new UserError(
      'The runtime config has never changed (version 0): there is nothing to roll back.',
      'nothing_to_roll_back',
    )
  }
  const state = target === 0 ? structuredClone(EMPTY_STATE) : s.state.version(target)?.state
  if (!state)
    throw new UserError(
      `There is no config version ${target}; the current one is v${current.version}.`,
      'unknown_version',
    )
  return {
    current: { version: current.version, state: current.state },
    target: { version: target, state },
    why,
    changes: diffJson(current.state, state),
  }
}

/**
 * The dry run shown with the approval request: target, reason, and every setting that would change.
 * @example previewConfigRollback(services, 3) // 'Restore config v3 (as asked) over v5: …'
 */
export function previewConfigRollback(s: Pick<Deps, 'state' | 'releases'>, version?: number): string {
  const plan = planConfigRollback(s, version)
  const head = `Restore config v${plan.target.version} (${plan.why}) over the current v${plan.current.version}, as a new version.`
  if (plan.changes.length === 0) return `${head}\nNo setting differs: nothing would change.`
  return [head, ...formatChanges(plan.changes).map((l) => `- ${l}`)].join('\n')
}

export interface ConfigRollbackInput {
  version?: number
  actor: string
  channel: AuditChannel
  reason?: string
  approvalId?: string
  osUser?: string
  /** When the approval was requested: a defaulted target must still be what the approver saw. */
  requestedAt?: number
}

/** What a rollback did; `restoredAs` is undefined when the target already equalled the current state. */
export interface ConfigRollbackResult {
  from: number
  target: number
  restoredAs?: number
  changes: Change[]
}

/**
 * Restores an old runtime config by writing a NEW version equal to it (history is never rewritten),
 * audited in the same transaction with the old and new value of every setting that changed.
 * Shared by `/rollback config` and `routerctl rollback config`.
 * @example rollbackConfig(services, { version: 3, actor: 'alice', channel: 'dingtalk' })
 */
export function rollbackConfig(s: Deps, input: ConfigRollbackInput): ConfigRollbackResult {
  return s.audit.transaction(() => {
    if (input.version === undefined && input.requestedAt !== undefined) refuseIfMoved(s, input.requestedAt)
    const plan = planConfigRollback(s, input.version)
    if (plan.changes.length === 0) return { from: plan.current.version, target: plan.target.version, changes: [] }
    const after = s.state.update(input.actor, input.reason ?? `rollback to v${plan.target.version}`, (draft) => {
      for (const key of Object.keys(draft)) delete (draft as unknown as Record<string, unknown>)[key]
      Object.assign(draft, structuredClone(plan.target.state))
    })
    s.audit.append({
      actor: input.actor,
      channel: input.channel,
      action: 'config-restore',
      args: {
        from: plan.current.version,
        target: plan.target.version,
        restoredAs: after.version,
        why: plan.why,
        changes: formatChanges(plan.changes, 50),
      },
      outcome: 'executed',
      approvalId: input.approvalId,
      breakGlass: input.channel === 'cli',
      osUser: input.osUser,
    })
    return { from: plan.current.version, target: plan.target.version, restoredAs: after.version, changes: plan.changes }
  })
}

// The approver saw a dry run of the default target; if the config or the known-good marks moved since,
// the default may now mean something else, so it is asked again rather than guessed.
function refuseIfMoved(s: Pick<Deps, 'state' | 'releases'>, requestedAt: number): void {
  if (s.state.current().createdAt > requestedAt || s.releases.lastChangeAt() > requestedAt) {
    throw new UserError(
      'The config or the known-good marks changed after this rollback was requested, so its dry run is out of date. Run /rollback config again.',
      'stale_request',
    )
  }
}
