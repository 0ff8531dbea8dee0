import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { parseDuration } from '../duration.js'
import { textsFor } from '../i18n/catalogue.js'

// The known-good job: marks the running release known-good once it has been ready long enough.

type Deps = Pick<Services, 'releases' | 'state' | 'usage' | 'audit' | 'outbox' | 'config' | 'runtime'>

/**
 * Marks the running release known-good once it has been ready for `releases.knownGoodAfter` with the
 * 15-minute error rate under `releases.maxErrorRate`, together with the config version current then.
 * Runs every minute; only the transition is audited (channel `cron`), the quiet minutes are not.
 * Readiness comes from the running process through `ready`, because only it knows the stream state.
 * @example knownGoodJob(services, { ready: () => services.runtime.readiness?.().ready ?? false })
 */
export function knownGoodJob(s: Deps, opts: { ready: () => boolean }) {
  // In memory on purpose: "ready for N minutes" is about this process; a restart starts the count again.
  let readySince: number | undefined
  return defineJob({
    name: 'known-good',
    schedule: '* * * * *',
    run: (now) => {
      const deploy = s.releases.forDigest(s.runtime.digest)
      if (!deploy || deploy.knownGoodAt !== null) return
      if (!opts.ready()) {
        readySince = undefined
        return
      }
      readySince ??= now
      const after = parseDuration(s.config.releases.knownGoodAfter) ?? 10 * 60_000
      if (now - readySince < after) return
      const errorRate = s.usage.errorRate(now, 15)
      if (errorRate.rate >= s.config.releases.maxErrorRate) return
      s.audit.transaction(() => {
        const configVersion = s.state.current().version
        if (!s.releases.markKnownGood(deploy.id, configVersion, now)) return
        s.audit.append({
          actor: 'known-good',
          channel: 'cron',
          action: 'known-good',
          outcome: 'executed',
          args: {
            digest: deploy.digest,
            version: deploy.version,
            configVersion,
            readyForMs: now - readySince!,
            errorRate: { messages: errorRate.messages, errors: errorRate.errors, fallbacks: errorRate.fallbacks },
          },
        })
        s.outbox.add(
          textsFor(s.config.locale).jobs.knownGood(
            deploy.digest,
            Math.round((now - readySince!) / 60_000),
            errorRate.errors,
            errorRate.messages,
            configVersion,
          ),
          now,
        )
      })
    },
  })
}
