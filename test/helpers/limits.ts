import type { RouterConfig } from '../../src/config.js'

/** Limits high enough that a burst of a few hundred messages is never rate-limited. */
export const NO_RATE_LIMITS = { perUserPerMinute: 10_000, perConversationPerMinute: 100_000 }

/**
 * A `configure` for queue tests: the worker pool size given, rate limits out of the way.
 * @example await startTestRouter({ configure: queueConfig(2, { maxQueueAge: '1s' }) })
 */
export function queueConfig(concurrency: number, more: Partial<RouterConfig['limits']> = {}) {
  return (c: RouterConfig): RouterConfig => ({
    ...c,
    limits: { ...c.limits, ...NO_RATE_LIMITS, concurrency, ...more },
  })
}
