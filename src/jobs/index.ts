import type { Services } from '../context.js'
import type { JobDefinition } from '../define.js'
import { expireApprovalsJob } from './expire-approvals.js'
import { pruneInboxJob } from './prune-inbox.js'

/** Every scheduled job of the bot process. Add a job by adding its factory here. */
export function createJobs(s: Services): JobDefinition[] {
  return [expireApprovalsJob(s), pruneInboxJob(s)]
}
