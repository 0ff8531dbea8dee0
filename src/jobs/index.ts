import type { Services } from '../context.js'
import type { JobDefinition } from '../define.js'
import { expireApprovalsJob } from './expire-approvals.js'
import { incidentExpiryJob } from './incident-expiry.js'
import { pruneInboxJob } from './prune-inbox.js'
import { knownGoodJob } from './known-good.js'
import { auditRetentionJob } from './audit-retention.js'
import { accessReviewJob } from './access-review.js'
import { dailyDigestJob } from './daily-digest.js'
import { driftJob } from './drift.js'
import { auditHeadJob } from './audit-head.js'
import { refusalTallyJob } from './refusal-tally.js'

/** Every scheduled job of the bot process. Add a job by adding its factory here. */
export function createJobs(s: Services): JobDefinition[] {
  return [
    expireApprovalsJob(s),
    pruneInboxJob(s),
    incidentExpiryJob(s),
    knownGoodJob(s, { ready: () => s.runtime.readiness?.().ready ?? false }),
    auditRetentionJob(s),
    accessReviewJob(s),
    driftJob(s),
    auditHeadJob(s),
    refusalTallyJob(s),
    ...(s.config.digest.enabled ? [dailyDigestJob(s)] : []),
  ]
}
