import type { Services } from '../context.js'
import { defineJob } from '../define.js'

/** Expires overdue approval requests, audits each, and tells the admin conversations. */
export function expireApprovalsJob(s: Pick<Services, 'approvals' | 'audit' | 'outbox'>) {
  return defineJob({
    name: 'expire-approvals',
    schedule: '* * * * *',
    run: (now) => {
      const expired = s.audit.transaction(() => {
        const list = s.approvals.expireDue(now)
        for (const r of list) {
          s.audit.append({
            actor: 'expire-approvals',
            channel: 'cron',
            action: r.command,
            args: r.args,
            outcome: 'expired',
            approvalId: r.id,
          })
        }
        return list
      })
      for (const r of expired)
        s.outbox.add(`Approval ${r.id} for /${r.command} (requested by ${r.requesterName}) expired unanswered.`, now)
      return undefined
    },
  })
}
