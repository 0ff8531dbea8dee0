import { UserError } from '../errors.js'
import type { Texts } from '../i18n/catalogue.js'
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
 * which stays with the skill's fallback ("not answering"). The text names no URL, only host:port, in the
 * language of `texts` (the asker's).
 * @example const why = explainEgressFailure(err, 'service-status', ctx.texts.egress); if (why) throw why
 */
export function explainEgressFailure(err: unknown, skill: string, texts: Texts['egress']): UserError | undefined {
  if (!(err instanceof EgressError)) return undefined
  if (POLICY.has(err.code)) return new UserError(texts.policyBlocked(skill, err.destination, err.code), 'egress_policy')
  if (err.code === 'http-status' && (err.status === 401 || err.status === 403))
    return new UserError(texts.credentialsRefused(skill, err.destination, err.status), 'credentials_refused')
  return undefined
}
