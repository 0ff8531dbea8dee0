import { UserError } from '../errors.js'
import { EgressError, type EgressErrorCode } from './client.js'

/** Refusals decided by the router's own egress policy: nothing was sent, so the backend is not "down". */
const POLICY: ReadonlySet<EgressErrorCode> = new Set([
  'not-allowed',
  'plain-http-refused',
  'redirect-refused',
  'bad-url',
])

/**
 * The truthful answer for a failed call that is neither an outage nor a timeout: blocked by the egress
 * policy, or the backend refused the router's credentials (HTTP 401/403). Undefined for anything else,
 * which stays with the skill's fallback ("not answering"). The text names no URL, only host:port.
 * @example const why = explainEgressFailure(err, 'service-status'); if (why) throw why
 */
export function explainEgressFailure(err: unknown, skill: string): UserError | undefined {
  if (!(err instanceof EgressError)) return undefined
  const where = err.destination ? ` ${err.destination}` : ''
  if (POLICY.has(err.code))
    return new UserError(
      `"${skill}" cannot reach${where}: the call is blocked by the router's egress policy (${err.code}), so nothing was sent. The service may be fine; an operator has to fix the configuration.`,
      'egress_policy',
    )
  if (err.code === 'http-status' && (err.status === 401 || err.status === 403))
    return new UserError(
      `"${skill}":${where} refused the router's credentials (HTTP ${err.status}). The service is answering; an operator has to check the credentials configured for it.`,
      'credentials_refused',
    )
  return undefined
}
