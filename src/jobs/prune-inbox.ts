import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { parseDuration } from '../duration.js'

/** Keeps the dedup table bounded: answered message ids older than the retention are forgotten. */
export function pruneInboxJob(s: Pick<Services, 'inbox' | 'usage' | 'config' | 'log'>) {
  return defineJob({
    name: 'prune-inbox',
    schedule: '17 * * * *',
    run: (now) => {
      const retention = parseDuration(s.config.limits.dedupRetention) ?? 7 * 86_400_000
      const messages = s.inbox.pruneBefore(now - retention)
      const minutes = s.usage.pruneBefore(now - 30 * 86_400_000)
      if (messages || minutes) s.log.info({ messages, minutes }, 'pruned old message ids and usage rows')
    },
  })
}
