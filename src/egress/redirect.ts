import { EgressError } from './client.js'
import { checkUrl, redactUrl, type RoutePolicy, type Target } from './destination.js'
import type { HopInit } from './fetch-hop.js'

/** Redirect hops a call may follow before it is refused. */
export const MAX_REDIRECTS = 3

/**
 * Resolves a Location against the URL that sent it and holds it to the same route policy as the first URL,
 * so a redirect can never take a skill somewhere it did not declare.
 * @example const next = redirectTarget(current, '/v2/status', policy)
 */
export function redirectTarget(from: Target, location: string, policy: RoutePolicy): Target {
  let url: URL
  try {
    url = new URL(location, from.url)
  } catch {
    throw new EgressError('redirect-refused', `${from.safe} redirected to an unparsable Location`, from.destination)
  }
  try {
    return checkUrl(url, policy)
  } catch (e) {
    if (!(e instanceof EgressError)) throw e
    throw new EgressError(
      'redirect-refused',
      `${from.safe} redirected to ${redactUrl(url.href)} (${e.code})`,
      from.destination,
    )
  }
}

/**
 * The request to send to a redirect's target, following fetch's rules: 303 (and 301/302 after a POST)
 * become a body-less GET; credentials are not carried to another origin.
 * @example const hop2 = redirectedInit(hop, 302, current, next)
 */
export function redirectedInit(hop: HopInit, status: number, from: Target, to: Target): HopInit {
  const headers = new Headers(hop.headers)
  if (from.url.origin !== to.url.origin) {
    for (const name of ['authorization', 'proxy-authorization', 'cookie']) headers.delete(name)
  }
  const toGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST'
  if (!toGet) return { ...hop, headers }
  headers.delete('content-type')
  headers.delete('content-length')
  return { ...hop, method: 'GET', headers, body: undefined }
}
