import type { Services } from '../context.js'
import { defineJob } from '../define.js'

// The audit retention job: prunes entries past `audit.retentionDays` behind a signed checkpoint.

const DAY_MS = 86_400_000

/**
 * Prunes audit entries older than `audit.retentionDays` (never younger ones) and moves the signed
 * checkpoint, so `audit verify` keeps passing. Every run is audited (channel `cron`) in the same
 * transaction as the pruning, and that entry commits again to the runtime state in force: a state version
 * counts only while an entry attests it, and the one that did may be among the pruned. Without it, a state
 * left unchanged for longer than the retention (a skill disabled a year ago) would fall back to the empty
 * state at the next read, and be reported as written outside the router.
 * @example auditRetentionJob(services).run(Date.now())
 */
export function auditRetentionJob(s: Pick<Services, 'audit' | 'config' | 'log' | 'state'>) {
  return defineJob({
    name: 'audit-retention',
    schedule: s.config.audit.retentionSchedule,
    run: (now) => {
      const days = s.config.audit.retentionDays
      const result = s.audit.transaction(() => {
        const inForce = s.state.current()
        const r = s.audit.pruneBefore(now - days * DAY_MS)
        const state = inForce.version > 0 ? { stateVersion: inForce.version, stateHash: inForce.hash } : {}
        s.audit.append({
          actor: 'audit-retention',
          channel: 'cron',
          action: 'audit-retention',
          outcome: 'executed',
          args: { retentionDays: days, pruned: r.pruned, checkpointSeq: r.checkpoint?.seq ?? 0, ...state },
        })
        return r
      })
      if (result.pruned > 0)
        s.log.info({ pruned: result.pruned, checkpointSeq: result.checkpoint?.seq }, 'pruned old audit entries')
    },
  })
}
