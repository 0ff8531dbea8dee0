import { UserError } from '../../errors.js'
import { planConfigRollback } from '../rollback-config.js'
import { formatChanges, type Change } from '../rollback-diff.js'
import type { Texts } from '../../i18n/catalogue.js'
import { byLine, noChange, noticeTexts, replyTexts, type ActionDeps, type AdminAction } from './action.js'

/** `/rollback config [<version>]` and `routerctl rollback config [--version <n>] --reason …`. */
export interface ConfigRollbackInput {
  target: 'config'
  version?: number
  reason?: string
}

/** What a config rollback did: the restored version, written again as a new version. */
export interface ConfigRollbackResult {
  from: number
  target: number
  restoredAs: number
  changes: Change[]
}

/**
 * Restores an old runtime config by writing a NEW version equal to it (history is never rewritten).
 * Without a version it restores the last known-good config, and refuses when there is none other than
 * the current one (see planConfigRollback); the reply and the announcement say why the target was chosen.
 * An approved request is judged against the present: if the config (or, for the default target, the
 * known-good marks) changed after its dry run was shown, it is refused as stale and nothing changes.
 */
export const rollbackConfigAction: AdminAction<ConfigRollbackInput, ConfigRollbackResult> = {
  name: 'rollback',
  apply(deps, input, actor) {
    const say = replyTexts(deps, actor)
    const notice = noticeTexts(deps)
    if (actor.approval) refuseIfMoved(deps, input.version === undefined, actor.approval.requestedAt, say)
    const plan = planConfigRollback(deps, input.version, say, actor.channel === 'cli' ? 'routerctl' : 'chat')
    if (plan.changes.length === 0) return noChange(say.rollback.configEquals(plan.target.version, plan.current.version))
    const after = deps.state.update(actor.name, input.reason ?? `rollback to v${plan.target.version}`, (draft) => {
      for (const key of Object.keys(draft)) delete (draft as unknown as Record<string, unknown>)[key]
      Object.assign(draft, structuredClone(plan.target.state))
    })
    const lines = formatChanges(plan.changes)
    return {
      kind: 'change',
      args: {
        ...input,
        from: plan.current.version,
        restored: plan.target.version,
        restoredAs: after.version,
        why: plan.why,
        changes: formatChanges(plan.changes, 50),
      },
      result: {
        from: plan.current.version,
        target: plan.target.version,
        restoredAs: after.version,
        changes: plan.changes,
      },
      announce: notice.rollback.configRestoredNotice(
        plan.target.version,
        after.version,
        byLine(actor, notice),
        plan.current.version,
        input.reason ?? '',
        notice.rollback.why(plan.why),
        lines.slice(0, 5).join('; '),
      ),
      // Why this version: the known-good release it came from, or that the operator named it.
      reply: [
        say.rollback.configRestored(
          plan.target.version,
          after.version,
          plan.current.version,
          say.rollback.why(plan.why),
        ),
        ...lines.map((l) => `- ${l}`),
      ].join('\n'),
    }
  },
}

// The approver saw a dry run; if the config moved since (or, for the default target, a known-good mark),
// the rollback would now do something else, so it is asked again rather than guessed.
function refuseIfMoved(deps: ActionDeps, defaultTarget: boolean, requestedAt: number, t: Texts): void {
  const stateMoved = deps.state.current().createdAt > requestedAt
  const marksMoved = defaultTarget && deps.releases.lastChangeAt() > requestedAt
  if (stateMoved || marksMoved) throw new UserError(t.rollback.staleConfig(!stateMoved), 'stale_request')
}
