import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { textsFor } from '../i18n/catalogue.js'

// The approval expiry job: closes overdue or orphaned requests, audits each and says so in the admin chat.

type Deps = Pick<Services, 'approvals' | 'audit' | 'outbox' | 'operators' | 'config'>

/** Expires overdue approval requests and those whose requester is no longer an operator; audits each and tells the admin conversations. */
export function expireApprovalsJob(s: Deps) {
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
      const t = textsFor(s.config.locale).approval
      for (const r of expired) s.outbox.add(t.expiredUnanswered(r.id, r.command, r.requesterName), now)
      expireOrphanedRequests(s, now, 'cron')
      return undefined
    },
  })
}

/**
 * Expires every pending request whose requester is no longer in ROUTER_OPERATORS: nobody may approve what
 * a removed operator asked for. Run at start (channel `system`) and every minute; each is audited `expired`
 * with the reason and announced, in one transaction.
 * @example expireOrphanedRequests(services, Date.now(), 'system')
 */
export function expireOrphanedRequests(s: Deps, now: number, channel: 'system' | 'cron'): number {
  return s.audit.transaction(() => {
    const orphans = s.approvals.pending(now).filter((r) => !s.operators.has(r.requester))
    for (const r of orphans) {
      if (!s.approvals.close(r.id, 'expired', now)) continue
      const reason = `requester ${r.requesterName} (${r.requester}) is no longer an operator`
      s.audit.append({
        actor: 'expire-approvals',
        channel,
        action: r.command,
        args: r.args,
        outcome: 'expired',
        approvalId: r.id,
        detail: reason,
      })
      s.outbox.add(textsFor(s.config.locale).approval.expiredOrphan(r.id, r.command, r.requesterName, r.requester), now)
    }
    return orphans.length
  })
}
