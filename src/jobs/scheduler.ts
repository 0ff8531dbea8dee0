import cron, { type ScheduledTask } from 'node-cron'
import type { JobDefinition } from '../define.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../logger.js'

/**
 * Schedules each job with node-cron. A run never overlaps itself and a failing run is logged, never fatal.
 * @returns a function that stops every job.
 */
export function scheduleJobs(jobs: JobDefinition[], deps: { log: Logger; now: () => number }): () => Promise<void> {
  const tasks: ScheduledTask[] = []
  for (const job of jobs) {
    if (!cron.validate(job.schedule)) throw new Error(`job ${job.name}: invalid schedule "${job.schedule}"`)
    let running = false
    tasks.push(
      cron.schedule(
        job.schedule,
        async () => {
          if (running) return
          running = true
          try {
            await job.run(deps.now())
          } catch (err) {
            deps.log.error({ job: job.name, err: errorMessage(err) }, 'scheduled job failed')
          } finally {
            running = false
          }
        },
        { name: job.name },
      ),
    )
  }
  return async () => {
    for (const task of tasks) await task.stop()
  }
}
