import { EgressError } from './client.js'

/** The allowlists one route is checked against; both hold normalised `host:port` strings. */
export interface RoutePolicy {
  destinations: ReadonlySet<string>
  /** Loopback destinations where plain http:// is tolerated (development and tests only). */
  httpLoopback: ReadonlySet<string>
}

/** A URL that passed a route's policy, with the forms the rest of the client needs. */
export interface Target {
  url: URL
  /** `host:port`, host lower-cased, IPv6 in brackets, port defaulted from the scheme. */
  destination: string
  /** Origin and path only: safe to put in messages and logs (no userinfo, query or fragment). */
  safe: string
}

const ENTRY = /^(\[[0-9a-f:.]+\]|[^:[\]/\s@?#]+):(\d{1,5})$/i

/**
 * Normalises a declared `host:port` entry to the form outbound URLs are compared in.
 * Throws a TypeError for anything else: a malformed declaration is a configuration bug, better loud at start-up.
 * @example normaliseDestination('Status.Internal.Example:0443') // 'status.internal.example:443'
 */
export function normaliseDestination(entry: string): string {
  const m = ENTRY.exec(entry.trim())
  const port = m ? Number(m[2]) : 0
  if (!m || port < 1 || port > 65535) throw new TypeError(`egress destination "${entry}" must be host:port`)
  let host: string
  try {
    // Let the URL parser canonicalise the host exactly as it will for the URLs we check later.
    host = new URL(`http://${m[1]}/`).hostname
  } catch {
    throw new TypeError(`egress destination "${entry}" has an invalid host`)
  }
  return `${host}:${port}`
}

/**
 * Whether an entry is a `host:port` destination {@link normaliseDestination} accepts.
 * @example isDestination('status.internal.example:443') // true
 */
export function isDestination(entry: string): boolean {
  try {
    normaliseDestination(entry)
    return true
  } catch {
    return false
  }
}

/**
 * The normalised form of an entry, or the entry trimmed and lower-cased when it does not parse: for lookups
 * and development allowlists, where a malformed entry should simply match nothing rather than throw.
 * @example lenientDestination('LOCALHOST:8080') // 'localhost:8080'
 */
export function lenientDestination(entry: string): string {
  try {
    return normaliseDestination(entry)
  } catch {
    return entry.trim().toLowerCase()
  }
}

/**
 * `host:port` of a URL, the form egress lists use: the host as `URL.hostname` spells it (lower case, IPv6
 * in brackets), the port defaulted from the scheme.
 * @example destinationOf('https://llm.internal.example/v1') // 'llm.internal.example:443'
 */
export function destinationOf(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`
}

/**
 * Splits `host:port` at its last colon; the host keeps the brackets of an IPv6 address. Undefined when
 * there is no host or no numeric port.
 * @example splitDestination('[::1]:8080') // { host: '[::1]', port: 8080 }
 */
export function splitDestination(destination: string): { host: string; port: number } | undefined {
  const at = destination.lastIndexOf(':')
  const port = destination.slice(at + 1)
  if (at <= 0 || !/^\d{1,5}$/.test(port)) return undefined
  return { host: destination.slice(0, at), port: Number(port) }
}

/**
 * Joins a host and a port, bracketing an IPv6 address: the inverse of {@link splitDestination}.
 * @example joinHostPort('::1', 8080) // '[::1]:8080'
 */
export function joinHostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
}

/**
 * Whether a string parses as an http:// or https:// URL: the config's check of a base URL (what egress
 * may then reach is {@link checkUrl}'s to decide).
 * @example isHttpUrl('ftp://files.example/') // false
 */
export function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol)
  } catch {
    return false
  }
}

/**
 * Whether a URL hostname (as `URL.hostname` spells it) is a loopback address.
 * @example isLoopbackHost('127.0.0.1') // true
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * Removes what must never reach a log from a URL string that may not even parse: userinfo, query, fragment.
 * @example redactUrl('https://u:p@h.example/a?token=x') // 'https://h.example/a'
 */
export function redactUrl(raw: string): string {
  const cut = raw.split(/[?#]/, 1)[0] ?? ''
  return cut.replace(/^([a-z][\w+.-]*:\/\/)[^@/]*@/i, '$1').slice(0, 200)
}

/**
 * Parses a URL and checks it against a route's policy; throws the EgressError that explains a refusal.
 * @example checkUrl('https://status.internal.example/v1/x', policy).destination // 'status.internal.example:443'
 */
export function checkUrl(raw: string | URL, policy: RoutePolicy): Target {
  let url: URL
  try {
    url = typeof raw === 'string' ? new URL(raw) : raw
  } catch {
    throw new EgressError('bad-url', `URL does not parse: ${redactUrl(String(raw))}`, '')
  }
  const safe = redactUrl(`${url.protocol}//${url.host}${url.pathname}`)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EgressError('bad-url', `unsupported scheme in ${safe}`, '')
  }
  const destination = destinationOf(url)
  if (url.username || url.password) {
    throw new EgressError('bad-url', `URL carries credentials: ${safe}`, destination)
  }
  // The allowlist comes first: reaching for an undeclared host is the finding that matters, whatever the scheme.
  if (!policy.destinations.has(destination)) {
    throw new EgressError('not-allowed', `${destination} is not a declared destination (${safe})`, destination)
  }
  if (url.protocol === 'http:' && !(policy.httpLoopback.has(destination) && isLoopbackHost(url.hostname))) {
    throw new EgressError('plain-http-refused', `plain http refused: ${safe} (use https)`, destination)
  }
  return { url, destination, safe }
}
