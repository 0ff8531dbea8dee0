/** The egress suite's own pieces: the refusal a call must end in, and a recorder of refusals and breakers. */
import { EventEmitter, once } from 'node:events'
import { EgressError, type BreakerState } from '../../src/egress/client.js'
import type { EgressRefusal } from '../../src/egress/factory.js'

/** Awaits a call that must fail and returns its EgressError. */
export async function refusal(call: Promise<unknown>): Promise<EgressError> {
  const outcome = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(outcome instanceof EgressError)) throw new Error(`expected an EgressError, got ${String(outcome)}`)
  return outcome
}

/** Records onRefusal events and breaker transitions, and lets a test wait for a given transition. */
export function recorder() {
  const refusals: EgressRefusal[] = []
  const changes: Array<[string, BreakerState]> = []
  const events = new EventEmitter()
  return {
    refusals,
    changes,
    onRefusal: (e: EgressRefusal) => void refusals.push(e),
    onBreakerChange: (destination: string, state: BreakerState) => {
      changes.push([destination, state])
      events.emit('change')
    },
    /** Resolves once `destination` has reported `state` at least `count` times in total. */
    async reached(destination: string, state: BreakerState, count = 1): Promise<void> {
      const seen = () => changes.filter(([d, s]) => d === destination && s === state).length
      while (seen() < count) await once(events, 'change')
    },
  }
}
