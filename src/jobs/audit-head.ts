import type { Services } from '../context.js'
import { defineJob } from '../define.js'

/**
 * Copies the audit head off the host: a signed log line (seq, hash, time, HMAC with the audit key) every
 * five minutes while entries are written, so log shipping holds heads that a truncated chain would lack.
 * Quiet when nothing was written since the last line.
 * @example auditHeadJob(services).run(Date.now())
 */
export function auditHeadJob(s: Pick<Services, 'audit' | 'log'>) {
  let logged: string | undefined
  return defineJob({
    name: 'audit-head',
    schedule: '*/5 * * * *',
    run: (now) => {
      const head = s.audit.head()
      if (logged === head.hash) return
      logged = head.hash
      logAuditHead(s, now)
    },
  })
}

/**
 * Logs the signed head line once (at start and stop too).
 * @example logAuditHead(services, Date.now())
 */
export function logAuditHead(s: Pick<Services, 'audit' | 'log'>, now: number): void {
  const head = s.audit.head()
  const ts = new Date(now).toISOString()
  s.log.info({ auditHead: { seq: head.seq, hash: head.hash, ts, signature: s.audit.signHead(head, ts) } }, 'audit head')
}
