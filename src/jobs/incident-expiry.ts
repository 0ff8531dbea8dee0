import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { incidentExpiry } from '../admin/actions/incident.js'
import { applyAction } from '../admin/actions/execute.js'

/**
 * Turns incident mode off once its ttl has run out, so a forgotten incident cannot pause risky skills forever.
 * The change, its audit entry (channel `cron`) and the announcement commit together through the executor.
 * /status already shows it off from the moment its ttl ends; this job writes that down.
 * @example await incidentExpiryJob(services).run(Date.now())
 */
export function incidentExpiryJob(s: Services) {
  return defineJob({
    name: 'incident-expiry',
    schedule: '* * * * *',
    run: (now) => {
      const incident = s.state.current().state.incident
      // Checked before taking the write lock, so the quiet minutes write nothing; the action checks again under it.
      if (!incident.on || incident.expiresAt === undefined || incident.expiresAt > now) return
      const done = applyAction(
        { ...s, now: () => now },
        incidentExpiry,
        { mode: 'off', reason: 'ttl ran out' },
        {
          name: 'incident-expiry',
          channel: 'cron',
        },
      )
      if (done.ok)
        s.log.info(
          { turnedOnBy: incident.by, expiresAt: incident.expiresAt },
          'incident mode expired and was turned off',
        )
    },
  })
}
