import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { expireIncident, incidentNotice } from '../admin/incident-actions.js'

/**
 * Turns incident mode off once its ttl has run out, so a forgotten incident cannot pause risky skills forever.
 * The change, its audit entry (channel `cron`) and the announcement commit together.
 * @example await incidentExpiryJob(services).run(Date.now())
 */
export function incidentExpiryJob(s: Pick<Services, 'state' | 'audit' | 'outbox' | 'log'>) {
  return defineJob({
    name: 'incident-expiry',
    schedule: '* * * * *',
    run: (now) => {
      const change = s.audit.transaction(() => {
        const c = expireIncident(s, now)
        if (!c) return undefined
        s.audit.append({
          actor: 'incident-expiry',
          channel: 'cron',
          action: 'incident',
          outcome: 'executed',
          args: { mode: 'off', reason: 'ttl ran out', turnedOnBy: c.before.by, expiresAt: c.before.expiresAt },
        })
        s.outbox.add(incidentNotice(c, now, 'cron'), now)
        return c
      })
      if (change)
        s.log.info(
          { turnedOnBy: change.before.by, expiresAt: change.before.expiresAt },
          'incident mode expired and was turned off',
        )
    },
  })
}
