import type { Services } from '../context.js'
import { defineJob } from '../define.js'

// The audit retention job: prunes entries past `audit.retentionDays` behind a signed checkpoint.

const DAY_MS = 86_400_000

/**
 * Prunes audit entries older than `audit.retentionDays` (never younger ones) and moves the signed
 * checkpoint, so `audit verify` keeps passing. Every run is audited (channel `cron`) in the same
 * transaction as the pruning.
 * @example auditRetentionJob(services).run(Date.now())
 */
export function auditRetentionJob(s: Pick<Services, 'audit' | 'config' | 'log'>) {
  return defineJob({
    name: 'audit-retention',
    schedule: s.config.audit.retentionSchedule,
    run: (now) => {
      const days = s.config.audit.retentionDays
      const result = s.audit.transaction(() => {
        const r = s.audit.pruneBefore(now - days * DAY_MS)
        s.audit.append({
          actor: 'audit-retention',
          channel: 'cron',
          action: 'audit-retention',
          outcome: 'executed',
          args: { retentionDays: days, pruned: r.pruned, checkpointSeq: r.checkpoint?.seq ?? 0 },
        })
        return r
      })
      if (result.pruned > 0)
        s.log.info({ pruned: result.pruned, checkpointSeq: result.checkpoint?.seq }, 'pruned old audit entries')
    },
  })
}
