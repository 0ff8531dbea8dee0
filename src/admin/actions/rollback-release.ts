import { UserError } from '../../errors.js'
import type { DesiredRelease } from '../../store/releases.js'
import { handOffRelease, planReleaseRollback, type ReleasePlan } from '../rollback-release.js'
import { byLine, type AdminAction } from './action.js'

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
    const requestedAt = actor.approval?.requestedAt
    if (input.digest === undefined && requestedAt !== undefined && deps.releases.lastChangeAt() > requestedAt) {
      throw new UserError(
        'stale: a deploy or a known-good mark happened after this rollback was requested, so its dry run is out of date. Run /rollback release again.',
        'stale_request',
      )
    }
    const plan = planReleaseRollback(deps, input.digest)
    const desired = deps.releases.addDesired(
      { digest: plan.digest, previousDigest: plan.running, requestedBy: actor.name },
      deps.now(),
    )
    return {
      kind: 'change',
      args: { ...input, digest: plan.digest, previous: plan.running, why: plan.why, request: desired.id },
      result: { desired, plan },
      announce: `Release rollback to ${plan.digest} requested ${byLine(actor)} (was ${plan.running ?? 'unknown'}, ${plan.why}); handing it to the host.`,
      reply: `Release rollback to ${plan.digest} recorded as request #${desired.id}.`,
    }
  },
  async after(deps, _input, done) {
    const { desired, plan } = done.result
    const h = await handOffRelease(deps, desired, plan)
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
        : `Release rollback to ${plan.digest} FAILED at the hand-off: ${h.hook?.error ?? 'failed'}.`,
    }
  },
}
