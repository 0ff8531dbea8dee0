import { UserError } from '../../errors.js'
import type { DesiredRelease } from '../../store/releases.js'
import { handOffRelease, planReleaseRollback, type ReleasePlan } from '../rollback-release.js'
import { byLine, noticeTexts, replyTexts, type AdminAction } from './action.js'

/** `/rollback release [<digest>]` and `routerctl rollback release [--digest <d>] --reason …`. */
export interface ReleaseRollbackInput {
  target: 'release'
  digest?: string
  reason?: string
}

/** The recorded desired release and the plan it came from. */
export interface ReleaseRollbackRecord {
  desired: DesiredRelease
  plan: ReleasePlan
}

/**
 * Records the desired release (the committed change, `executed`), then hands it to the host after the
 * commit: desired-release.json and the rollback hook, audited as its own `rollback-hook` entry, `failed`
 * when the hook fails or times out (the file is then put back and the request marked failed).
 */
export const rollbackReleaseAction: AdminAction<ReleaseRollbackInput, ReleaseRollbackRecord> = {
  name: 'rollback',
  apply(deps, input, actor) {
    const say = replyTexts(deps, actor)
    const notice = noticeTexts(deps)
    const requestedAt = actor.approval?.requestedAt
    if (input.digest === undefined && requestedAt !== undefined && deps.releases.lastChangeAt() > requestedAt) {
      throw new UserError(say.rollback.staleRelease, 'stale_request')
    }
    const plan = planReleaseRollback(deps, input.digest, say)
    const desired = deps.releases.addDesired(
      { digest: plan.digest, previousDigest: plan.running, requestedBy: actor.name },
      deps.now(),
    )
    return {
      kind: 'change',
      args: { ...input, digest: plan.digest, previous: plan.running, why: plan.why, request: desired.id },
      result: { desired, plan },
      announce: notice.rollback.releaseRequestedNotice(
        plan.digest,
        byLine(actor, notice),
        plan.running ?? notice.actions.unknown,
        notice.rollback.why(plan.why),
      ),
      reply: say.rollback.releaseRecorded(plan.digest, desired.id),
    }
  },
  async after(deps, _input, done, actor) {
    const { desired, plan } = done.result
    const notice = noticeTexts(deps)
    const h = await handOffRelease(deps, desired, plan, replyTexts(deps, actor))
    return {
      action: 'rollback-hook',
      ok: h.ok,
      args: {
        digest: plan.digest,
        previous: plan.running,
        request: desired.id,
        status: h.status,
        hook: h.hook ? { exitCode: h.hook.exitCode, timedOut: h.hook.timedOut, ms: h.hook.durationMs } : 'none',
      },
      detail: h.hook ? `${h.hook.error ? `${h.hook.error}\n` : ''}${h.output || '(no output)'}` : undefined,
      reply: h.summary,
      announce: h.ok
        ? undefined
        : notice.rollback.handOffFailedNotice(plan.digest, h.hook?.error ?? notice.rollback.failed),
    }
  },
}
