import type { Services } from '../context.js'
import { UserError } from '../errors.js'
import type { AuditChannel } from '../store/audit.js'
import { DIGEST_PATTERN, type Deploy } from '../store/releases.js'

/** Who is recording: the router at start-up (`system`) or a pipeline through routerctl (`cli`). */
export interface DeployRecordInput {
  digest: string
  version?: string
  /** Who deployed it: DEPLOYED_BY, `--by`, or `unknown`. */
  by: string
  actor: string
  channel: Extract<AuditChannel, 'system' | 'cli'>
  osUser?: string
  reason?: string
}

/**
 * Records a deploy event when the digest differs from the newest one, audited in the same transaction.
 * A release that starts also closes the rollback requests that asked for it. Shared by start-up and
 * `routerctl deploy record`.
 * @example recordDeploy(services, { digest: 'sha256:…', by: 'ci', actor: 'deploy', channel: 'cli' }, Date.now())
 */
export function recordDeploy(
  s: Pick<Services, 'releases' | 'audit'>,
  input: DeployRecordInput,
  now: number,
): { deploy: Deploy; created: boolean } {
  if (!DIGEST_PATTERN.test(input.digest)) {
    throw new UserError(
      `"${input.digest.slice(0, 80)}" is not a digest (expected e.g. sha256:<64 hex> or 1.2.0+abc123)`,
      'bad_digest',
    )
  }
  return s.audit.transaction(() => {
    const result = s.releases.record(
      { digest: input.digest, version: input.version, by: input.by, channel: input.channel },
      now,
    )
    if (!result.created) return result
    const applied = input.channel === 'system' ? s.releases.markApplied(input.digest) : 0
    s.audit.append({
      actor: input.actor,
      channel: input.channel,
      action: 'deploy',
      args: {
        digest: input.digest,
        version: input.version,
        by: input.by,
        reason: input.reason,
        closedRollbackRequests: applied || undefined,
      },
      outcome: 'executed',
      // A pipeline reporting what it deployed is routine, not a bypass of chat control: no break-glass review.
      osUser: input.osUser,
    })
    return result
  })
}

/**
 * The start-up deploy event of the running process: its version and digest, by DEPLOYED_BY or `unknown`.
 * @example recordStartupDeploy(services, process.env)
 */
export function recordStartupDeploy(
  s: Pick<Services, 'releases' | 'audit' | 'runtime' | 'now'>,
  env: NodeJS.ProcessEnv = process.env,
) {
  return recordDeploy(
    s,
    {
      digest: s.runtime.digest,
      version: s.runtime.version,
      by: env.DEPLOYED_BY?.trim() || 'unknown',
      actor: 'router',
      channel: 'system',
    },
    s.now(),
  )
}
