import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { collectStatus, describeErrorRate } from '../status.js'
import { textsFor } from '../i18n/catalogue.js'

/**
 * A daily status digest for the admin conversations: release and known-good, 24-hour error rate,
 * incident mode, disabled skills, pending approvals. Each run is audited (channel `cron`).
 * @example dailyDigestJob(services).run(Date.now())
 */
export function dailyDigestJob(
  s: Pick<
    Services,
    'state' | 'approvals' | 'usage' | 'skills' | 'releases' | 'audit' | 'outbox' | 'config' | 'runtime'
  >,
) {
  return defineJob({
    name: 'daily-digest',
    schedule: s.config.digest.schedule,
    run: (now) => {
      const status = collectStatus(s, now)
      const day = s.usage.errorRate(now, 24 * 60)
      const deploy = s.releases.forDigest(status.digest)
      const good = s.releases.lastKnownGood()
      const off = status.skills.filter((k) => !k.enabled).map((k) => k.name)
      const texts = textsFor(s.config.locale)
      const t = texts.digest
      const text = [
        t.heading,
        t.release(status.digest, deploy ? t.deployed(texts.time.ago(now - deploy.deployedAt), deploy.deployedBy) : ''),
        t.knownGood(!good ? t.noneYet : good.digest === status.digest ? t.thisRelease : good.digest),
        t.errors(describeErrorRate(day, 'short', texts)),
        t.incident(status.incident.on, status.incident.reason ?? '', status.stateVersion),
        t.skills(off.join(', '), status.pendingApprovals),
      ].join('\n')
      s.audit.transaction(() => {
        s.audit.append({
          actor: 'daily-digest',
          channel: 'cron',
          action: 'daily-digest',
          outcome: 'executed',
          args: {
            digest: status.digest,
            errors: day.errors,
            fallbacks: day.fallbacks,
            messages: day.messages,
            skillsOff: off.length,
            pendingApprovals: status.pendingApprovals,
          },
        })
        s.outbox.add(text, now)
      })
    },
  })
}
