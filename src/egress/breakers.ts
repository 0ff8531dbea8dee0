import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel'
import { EgressError, type BreakerState } from './client.js'

// Per-destination circuit breakers and bulkheads, shared by every route that reaches a destination.

/** How each destination is guarded, and which outcomes count as the destination failing. */
export interface GuardOptions {
  maxConcurrent: number
  consecutiveFailures: number
  halfOpenAfterMs: number
  isFailure(e: Error): boolean
  isFailedResult(result: unknown): boolean
  onChange(destination: string, state: BreakerState): void
}

/** A bulkhead and a circuit breaker per destination, shared by every route that reaches it. */
export interface DestinationGuards {
  /** Runs `fn` inside the destination's bulkhead and breaker; refusals come out as EgressError. */
  run<T>(destination: string, fn: () => Promise<T>): Promise<T>
  /** Starts tracking a destination so status pages list it before its first call. */
  track(destination: string): void
  state(destination: string): BreakerState
  states(): Record<string, BreakerState>
}

interface Guard {
  breaker: CircuitBreakerPolicy
  bulkhead: BulkheadPolicy
  /** What we report; it runs ahead of cockatiel's own state when the cool-down ends (see watchCoolDown). */
  view: BreakerState
  openings: number
}

const VIEW: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
}

/**
 * Builds the per-destination guards on cockatiel's circuitBreaker and bulkhead policies.
 * @example
 * const guards = createDestinationGuards({ maxConcurrent: 8, consecutiveFailures: 5, halfOpenAfterMs: 30_000,
 *   isFailure: isDestinationFault, isFailedResult: () => false, onChange: () => {} })
 * await guards.run('api.example:443', () => fetchSomething())
 */
export function createDestinationGuards(o: GuardOptions): DestinationGuards {
  const guards = new Map<string, Guard>()
  const policy = handleWhen(o.isFailure).orWhenResult(o.isFailedResult)

  const show = (destination: string, g: Guard, state: BreakerState) => {
    if (g.view === state) return
    g.view = state
    o.onChange(destination, state)
  }

  // cockatiel only leaves Open when a call arrives after the cool-down. Callers that consult the state
  // before calling (run-skill skips a skill whose breaker is open) would then never send that trial call,
  // so we report half-open ourselves once the cool-down has passed: the next call will be the trial.
  const watchCoolDown = (destination: string, g: Guard) => {
    const opening = ++g.openings
    const openedAt = Date.now()
    const check = () => {
      if (g.openings !== opening || g.breaker.state !== CircuitState.Open) return
      const left = o.halfOpenAfterMs - (Date.now() - openedAt)
      // Timers may fire a millisecond early; reporting half-open before cockatiel agrees would fail the trial.
      if (left > 0) setTimeout(check, left).unref()
      else show(destination, g, 'half-open')
    }
    setTimeout(check, o.halfOpenAfterMs).unref()
  }

  const guard = (destination: string): Guard => {
    const known = guards.get(destination)
    if (known) return known
    const g: Guard = {
      breaker: circuitBreaker(policy, {
        halfOpenAfter: o.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(o.consecutiveFailures),
      }),
      bulkhead: bulkhead(o.maxConcurrent, 0),
      view: 'closed',
      openings: 0,
    }
    g.breaker.onStateChange((s) => {
      if (s === CircuitState.Open) watchCoolDown(destination, g)
      show(destination, g, VIEW[s])
    })
    guards.set(destination, g)
    return g
  }

  return {
    async run<T>(destination: string, fn: () => Promise<T>): Promise<T> {
      const g = guard(destination)
      try {
        return await g.bulkhead.execute(() => g.breaker.execute(fn))
      } catch (e) {
        if (e instanceof BulkheadRejectedError) {
          throw new EgressError(
            'bulkhead-full',
            `${destination}: ${o.maxConcurrent} calls already in flight`,
            destination,
          )
        }
        if (e instanceof BrokenCircuitError) {
          throw new EgressError('breaker-open', `${destination}: circuit open after repeated failures`, destination)
        }
        throw e
      }
    },
    track: (destination) => void guard(destination),
    state: (destination) => guards.get(destination)?.view ?? 'closed',
    states: () => Object.fromEntries([...guards].map(([d, g]) => [d, g.view])),
  }
}
