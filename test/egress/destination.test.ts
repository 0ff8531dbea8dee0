import { describe, expect, it } from 'vitest'
import {
  checkUrl,
  destinationOf,
  isDestination,
  isHttpUrl,
  isLoopbackHost,
  joinHostPort,
  lenientDestination,
  normaliseDestination,
  redactUrl,
  splitDestination,
  type RoutePolicy,
} from '../../src/egress/destination.js'

const policy = (destinations: string[], httpLoopback: string[] = []): RoutePolicy => ({
  destinations: new Set(destinations.map(normaliseDestination)),
  httpLoopback: new Set(httpLoopback.map(normaliseDestination)),
})

const code = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code ?? 'no code'
  }
  return 'passed'
}

describe('normaliseDestination', () => {
  it('lower-cases hosts, canonicalises ports and IPv6', () => {
    expect(normaliseDestination('Status.Internal.Example:0443')).toBe('status.internal.example:443')
    expect(normaliseDestination('[0:0:0:0:0:0:0:1]:8080')).toBe('[::1]:8080')
    expect(normaliseDestination('127.0.0.1:80')).toBe('127.0.0.1:80')
  })

  it('rejects entries that are not host:port', () => {
    for (const bad of [
      'example.com',
      'example.com:0',
      'example.com:70000',
      '::1:80',
      'https://x.example:443',
      'u@x.example:443',
    ]) {
      expect(() => normaliseDestination(bad), bad).toThrow(TypeError)
    }
  })
})

describe('the other destination forms', () => {
  it('takes host:port from a URL, the port defaulted from the scheme', () => {
    expect(destinationOf('https://LLM.internal.example/v1')).toBe('llm.internal.example:443')
    expect(destinationOf('http://127.0.0.1/x')).toBe('127.0.0.1:80')
    expect(destinationOf(new URL('http://[::1]:18789/'))).toBe('[::1]:18789')
  })

  it('tells a destination from anything else, and matches a malformed one to nothing', () => {
    expect(isDestination('status.internal.example:443')).toBe(true)
    expect(isDestination('[::1]:8080')).toBe(true)
    expect(isDestination('example.com')).toBe(false)
    expect(isDestination('example.com:0')).toBe(false)
    expect(lenientDestination('LocalHost:0443')).toBe('localhost:443')
    expect(lenientDestination(' Nonsense ')).toBe('nonsense')
  })

  it('tells an http(s) URL from anything else', () => {
    expect(isHttpUrl('https://llm.internal.example/v1')).toBe(true)
    expect(isHttpUrl('http://127.0.0.1:9000')).toBe(true)
    for (const bad of ['ftp://files.example/', 'llm.internal.example', '', 'javascript:alert(1)'])
      expect(isHttpUrl(bad), bad).toBe(false)
  })

  it('splits and joins host and port, IPv6 in brackets', () => {
    expect(splitDestination('[::1]:8080')).toEqual({ host: '[::1]', port: 8080 })
    expect(splitDestination('status.internal.example:443')).toEqual({ host: 'status.internal.example', port: 443 })
    for (const bad of ['example.com', ':80', 'localhost:abc', 'localhost:'])
      expect(splitDestination(bad), bad).toBeUndefined()
    expect(joinHostPort('::1', 8080)).toBe('[::1]:8080')
    expect(joinHostPort('[::1]', 8080)).toBe('[::1]:8080')
    expect(joinHostPort('127.0.0.1', 0)).toBe('127.0.0.1:0')
  })
})

describe('checkUrl', () => {
  const p = policy(
    ['api.example:443', 'plain.example:80', '[::1]:8443', '[::1]:80', '127.0.0.1:8080'],
    ['127.0.0.1:8080'],
  )

  it('defaults the port from the scheme and matches exactly', () => {
    expect(checkUrl('https://API.example/v1?q=1', p).destination).toBe('api.example:443')
    expect(checkUrl('https://api.example:443/', p).destination).toBe('api.example:443')
    expect(checkUrl('https://[::1]:8443/', p).destination).toBe('[::1]:8443')
    expect(code(() => checkUrl('https://api.example:8443/', p))).toBe('not-allowed')
    expect(code(() => checkUrl('https://sub.api.example/', p))).toBe('not-allowed')
    expect(code(() => checkUrl('https://api.example./', p))).toBe('not-allowed')
  })

  it('allows plain http only to a listed loopback destination', () => {
    expect(checkUrl('http://127.0.0.1:8080/x', p).destination).toBe('127.0.0.1:8080')
    expect(code(() => checkUrl('http://plain.example/', p))).toBe('plain-http-refused')
    expect(code(() => checkUrl('http://[::1]/', p))).toBe('plain-http-refused')
    // The route's allowlist is checked first: http to an undeclared host is reported as not-allowed.
    expect(code(() => checkUrl('http://api.example/', p))).toBe('not-allowed')
    expect(code(() => checkUrl('http://127.0.0.1:8080/', policy(['api.example:443'], ['127.0.0.1:8080'])))).toBe(
      'not-allowed',
    )
  })

  it('refuses unparsable URLs, other schemes and userinfo as bad-url', () => {
    expect(code(() => checkUrl('not a url', p))).toBe('bad-url')
    expect(code(() => checkUrl('ftp://api.example/', p))).toBe('bad-url')
    expect(code(() => checkUrl('https://user:pw@api.example/', p))).toBe('bad-url')
  })

  it('a route without destinations reaches nothing', () => {
    expect(code(() => checkUrl('https://api.example/', policy([])))).toBe('not-allowed')
  })

  it('keeps credentials and query strings out of messages', () => {
    let message = ''
    try {
      checkUrl('https://user:hunter2@api.example/x?token=s3cret', p)
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toContain('https://api.example/x')
    expect(message).not.toMatch(/hunter2|s3cret|user/)
    expect(redactUrl('not a url?token=z')).toBe('not a url')
    expect(redactUrl('https://u:p@x.example/y?token=z#f')).toBe('https://x.example/y')
  })
})

describe('isLoopbackHost', () => {
  it('knows the loopback spellings URL produces', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'].every(isLoopbackHost)).toBe(true)
    expect(['10.0.0.1', 'example.com', '[::2]', '128.0.0.1'].some(isLoopbackHost)).toBe(false)
  })
})
