import { EgressError, type EgressErrorCode } from '../egress/client.js'

// Whether a failed model or agent call used its prompt, so that the provider bills it and the router meters it.

/** Egress refusals made before the request leaves the router (its URL, its destination's breaker or bulkhead). */
const REFUSED_BEFORE_SENDING: ReadonlySet<EgressErrorCode> = new Set<EgressErrorCode>([
  'not-allowed',
  'plain-http-refused',
  'bad-url',
  'breaker-open',
  'bulkhead-full',
])

/** Network failures before a connection existed: the egress client names the socket error's code last. */
const NEVER_CONNECTED = /: (?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/

/**
 * True when the prompt of a failed call went out and may have run: a timeout, a 5xx, a closed connection, a
 * stream cut short, an answer in the wrong shape. False when the call never left (the egress client refused it,
 * or no connection could be made), or the API refused it unread with a 4xx (credentials, a bad request, a
 * rate limit).
 * @example if (promptBilled(err)) meter(await size.tokens())
 */
export function promptBilled(err: unknown): boolean {
  if (!(err instanceof EgressError)) return true
  if (err.code === 'http-status') return err.status === undefined || err.status >= 500
  if (err.code === 'network') return !NEVER_CONNECTED.test(err.message)
  return !REFUSED_BEFORE_SENDING.has(err.code)
}
