import type { Services } from '../context.js'
import { defineJob } from '../define.js'

/**
 * Writes the audit entries of refused-attempt counts whose minute has closed (one per sender and minute),
 * including counts a crash left behind. Each entry is the audit record itself, so the job adds no other.
 * @example refusalTallyJob(services).run(Date.now())
 */
export function refusalTallyJob(s: Pick<Services, 'refusals'>) {
  return defineJob({
    name: 'refusal-tally',
    schedule: '* * * * *',
    run: (now) => {
      s.refusals.flush(now)
      return undefined
    },
  })
}
