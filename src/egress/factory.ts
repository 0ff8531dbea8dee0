import { createDestinationGuards } from './breakers.js'
import type { BreakerState, EgressClient, EgressError, EgressErrorCode, EgressFactory } from './client.js'
import { isLoopbackHost, lenientDestination, normaliseDestination, splitDestination } from './destination.js'
import { isDestinationFault } from './fetch-hop.js'
import { createRouteClient } from './route-client.js'

// Creates the process's one egress factory, which hands each route a client bound to its destinations.

/** A refusal or failure as handed to `onRefusal`; `destination` is '' when the URL did not parse. */
export interface EgressRefusal {
  route: string
  destination: string
  code: EgressErrorCode
  /** Short and safe to log: URLs appear as origin and path only. */
  message: string
}

/**
 * Tuning and hooks for the egress factory; every field is optional.
 * @example createEgressFactory({ defaultTimeoutMs: 5000, onRefusal: (e) => metrics.egressRefusals.inc({ route: e.route, reason: e.code }) })
 */
export interface EgressOptions {
  /** `host:port` entries to which plain http:// is allowed; only loopback hosts (127.0.0.0/8, localhost, ::1) are ever accepted here, others are ignored with a warning. Development and tests only. */
  allowHttpLoopback?: string[]
  /** Per-call budget covering every redirect hop and the body read; default 3000. */
  defaultTimeoutMs?: number
  /** Response body cap; default 1 MiB. */
  maxResponseBytes?: number
  /** Concurrent calls per destination; one more is refused with 'bulkhead-full' (no queue). Default 8. */
  maxConcurrentPerDestination?: number
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number }
  onRefusal?: (e: EgressRefusal) => void
  /** Fires on every transition; 'half-open' is reported as soon as the cool-down ends (the next call is the trial). */
  onBreakerChange?: (destination: string, state: BreakerState) => void
  log?: { warn(obj: object, msg: string): void }
}

/**
 * Creates the one egress factory of a process. Breakers and bulkheads are per destination and shared by
 * all routes, because it is the destination that is down or saturated, not the skill.
 * @example
 * const egress = createEgressFactory({ onRefusal: (e) => log.warn(e, 'egress refused') })
 * const client = egress.forRoute('service-status', ['status.internal.example:443'])
 * const s = await client.getJson<{ state: string }>('https://status.internal.example/v1/api')
 */
export function createEgressFactory(opts: EgressOptions = {}): EgressFactory {
  const warn = (obj: object, msg: string) => {
    if (opts.log) opts.log.warn(obj, msg)
    else process.emitWarning(`${msg} ${JSON.stringify(obj)}`)
  }
  // A hook that throws must not replace the error the caller is about to get, nor break the breaker.
  const safely = (hook: string, fn: () => void) => {
    try {
      fn()
    } catch (err) {
      warn({ hook, err: String(err) }, 'egress hook threw; ignoring')
    }
  }
  const httpLoopback = loopbackAllowlist(opts.allowHttpLoopback ?? [], warn)
  const guards = createDestinationGuards({
    maxConcurrent: opts.maxConcurrentPerDestination ?? 8,
    consecutiveFailures: opts.breaker?.consecutiveFailures ?? 5,
    halfOpenAfterMs: opts.breaker?.halfOpenAfterMs ?? 30_000,
    isFailure: isDestinationFault,
    isFailedResult: (r) => typeof r === 'object' && r !== null && 'status' in r && Number(r.status) >= 500,
    onChange: (destination, state) => safely('onBreakerChange', () => opts.onBreakerChange?.(destination, state)),
  })
  const report = (route: string, e: EgressError): EgressError => {
    const event = { route, destination: e.destination ?? '', code: e.code, message: e.message }
    safely('onRefusal', () => opts.onRefusal?.(event))
    return e
  }

  // A route's client holds no per-request state, so one per route and declared list serves every message
  // (a skill asks for its own on each message). Bounded by the skills and their declarations.
  const clients = new Map<string, EgressClient>()
  return {
    forRoute(route, declared) {
      const key = `${route}\n${declared.join('\n')}`
      let client = clients.get(key)
      if (!client) clients.set(key, (client = routeClient(route, declared)))
      return client
    },
    // A status lookup of a malformed entry should not throw; it simply matches nothing.
    breakerState: (destination) => guards.state(lenientDestination(destination)),
    breakerStates: () => guards.states(),
  }

  function routeClient(route: string, declared: readonly string[]): EgressClient {
    const destinations = Object.freeze([...new Set(declared.map(normaliseDestination))])
    destinations.forEach(guards.track)
    return createRouteClient({
      route,
      destinations,
      guards,
      report,
      policy: { destinations: new Set(destinations), httpLoopback },
      timeoutMs: opts.defaultTimeoutMs ?? 3000,
      maxBytes: opts.maxResponseBytes ?? 1024 * 1024,
    })
  }
}

function loopbackAllowlist(entries: string[], warn: (obj: object, msg: string) => void): ReadonlySet<string> {
  const accepted = new Set<string>()
  for (const entry of entries) {
    const d = lenientDestination(entry)
    const host = splitDestination(d)?.host
    if (host !== undefined && isLoopbackHost(host)) accepted.add(d)
    else warn({ entry }, 'allowHttpLoopback accepts loopback host:port entries only; ignoring this one')
  }
  return accepted
}
