import { afterEach, describe, expect, it } from 'vitest'
import { createEgressFactory, type EgressOptions } from '../../src/egress/factory.js'
import { recorder, refusal } from '../helpers/egress-refusals.js'
import { freePort, startServer, type TestServer } from '../helpers/loopback-server.js'

const T = { timeout: 10_000 }
const servers: TestServer[] = []

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args)
  servers.push(s)
  return s
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const ok = () => server((_req, res) => res.end('ok'))

/** A factory that tolerates plain http to the given test servers, with refusals recorded. */
function factory(allowHttp: Array<TestServer | string>, extra: EgressOptions = {}) {
  const rec = recorder()
  const allowHttpLoopback = allowHttp.map((s) => (typeof s === 'string' ? s : s.dest))
  const egress = createEgressFactory({ allowHttpLoopback, onRefusal: rec.onRefusal, ...extra })
  return { egress, rec }
}

describe('destination allowlist', () => {
  it('an allowed call works', T, async () => {
    const a = await server((_req, res) => {
      res.setHeader('X-Custom-Thing', 'yes')
      res.end('hello')
    })
    const { egress, rec } = factory([a])
    const client = egress.forRoute('svc', [a.dest])
    const res = await client.request(a.url('/greet'))
    expect(res).toMatchObject({ status: 200, text: 'hello' })
    expect(res.headers['x-custom-thing']).toBe('yes')
    expect(a.hits.map((h) => h.path)).toEqual(['/greet'])
    expect(client.destinations).toEqual([a.dest])
    expect(rec.refusals).toEqual([])
  })

  it('refuses an undeclared destination before any request is sent', T, async () => {
    const [a, b] = [await ok(), await ok()]
    const { egress, rec } = factory([a, b])
    const client = egress.forRoute('svc', [a.dest])
    expect((await refusal(client.request(b.url('/')))).code).toBe('not-allowed')
    expect((await refusal(client.request('https://undeclared.example/x'))).code).toBe('not-allowed')
    expect((await refusal(egress.forRoute('nothing', []).request(a.url('/')))).code).toBe('not-allowed')
    expect(a.hits).toHaveLength(0)
    expect(b.hits).toHaveLength(0)
    expect(rec.refusals.map((r) => [r.route, r.destination, r.code])).toEqual([
      ['svc', b.dest, 'not-allowed'],
      ['svc', 'undeclared.example:443', 'not-allowed'],
      ['nothing', a.dest, 'not-allowed'],
    ])
  })

  it('refuses plain http to a declared loopback destination that is not in allowHttpLoopback', T, async () => {
    const a = await ok()
    const { egress, rec } = factory([])
    const err = await refusal(egress.forRoute('svc', [a.dest]).request(a.url('/')))
    expect(err.code).toBe('plain-http-refused')
    expect(a.hits).toHaveLength(0)
    expect(rec.refusals[0]).toMatchObject({ route: 'svc', destination: a.dest, code: 'plain-http-refused' })
  })

  it('ignores non-loopback allowHttpLoopback entries with a warning', T, async () => {
    const warnings: string[] = []
    const { egress } = factory([], {
      allowHttpLoopback: ['example.com:80', 'nonsense'],
      log: { warn: (_o, msg) => void warnings.push(msg) },
    })
    expect(warnings).toHaveLength(2)
    const err = await refusal(egress.forRoute('svc', ['example.com:80']).request('http://example.com/'))
    expect(err.code).toBe('plain-http-refused')
  })

  it('refuses URLs with userinfo or that do not parse as bad-url', T, async () => {
    const a = await ok()
    const { egress } = factory([a])
    const client = egress.forRoute('svc', [a.dest])
    expect((await refusal(client.request(`http://me:pw@${a.dest}/`))).code).toBe('bad-url')
    expect((await refusal(client.request('::not a url::'))).code).toBe('bad-url')
    expect(a.hits).toHaveLength(0)
  })

  it('keeps the query string and credentials out of refusal messages', T, async () => {
    const a = await server(() => undefined) // hangs
    const dead = await freePort()
    const { egress, rec } = factory([a, `127.0.0.1:${dead}`])
    const client = egress.forRoute('svc', [a.dest, `127.0.0.1:${dead}`])
    const errors = [
      await refusal(client.request('https://undeclared.example/p?token=SECRET1')),
      await refusal(client.request(`http://u:SECRET2@${a.dest}/p?token=SECRET2`)),
      await refusal(client.request(`http://127.0.0.1:${dead}/p?token=SECRET3`)),
      await refusal(client.request(a.url('/p?token=SECRET4'), { timeoutMs: 100 })),
      await refusal(client.request('::bad?token=SECRET5')),
    ]
    expect(errors.map((e) => e.code)).toEqual(['not-allowed', 'bad-url', 'network', 'timeout', 'bad-url'])
    expect(rec.refusals).toHaveLength(5)
    for (const text of [...errors.map((e) => e.message), ...rec.refusals.map((r) => r.message)]) {
      expect(text).not.toMatch(/SECRET|token=/)
    }
    expect(rec.refusals[3]?.message).toContain(`${a.url('/p')}`)
  })
})

describe('redirects', () => {
  it('follows a redirect within the same destination', T, async () => {
    const a = await server((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: '/middle' }).end()
      else if (req.url === '/middle') res.writeHead(307, { location: `http://127.0.0.1:${a.port}/final` }).end()
      else res.end('arrived')
    })
    const { egress } = factory([a])
    const res = await egress.forRoute('svc', [a.dest]).request(a.url('/start'))
    expect(res.text).toBe('arrived')
    expect(a.hits.map((h) => h.path)).toEqual(['/start', '/middle', '/final'])
  })

  it('refuses a redirect to another destination; that server sees nothing', T, async () => {
    const b = await ok()
    const a = await server((_req, res) => res.writeHead(302, { location: b.url('/steal?x=1') }).end())
    // b is tolerated for http, so only the route's allowlist stands in the way.
    const { egress, rec } = factory([a, b])
    const err = await refusal(egress.forRoute('svc', [a.dest]).request(a.url('/')))
    expect(err.code).toBe('redirect-refused')
    expect(err.message).toContain(b.url('/steal'))
    expect(err.message).not.toContain('x=1')
    expect(b.hits).toHaveLength(0)
    expect(rec.refusals[0]).toMatchObject({ route: 'svc', destination: a.dest, code: 'redirect-refused' })
  })

  it('refuses a redirect to plain http off loopback, even to a declared destination', T, async () => {
    const a = await server((_req, res) => res.writeHead(301, { location: 'http://example.com/' }).end())
    const { egress } = factory([a])
    expect((await refusal(egress.forRoute('svc', [a.dest, 'example.com:80']).request(a.url('/')))).code).toBe(
      'redirect-refused',
    )
  })

  it('stops after three hops', T, async () => {
    const a = await server((req, res) => res.writeHead(302, { location: `/loop${req.url}` }).end())
    const { egress } = factory([a])
    const err = await refusal(egress.forRoute('svc', [a.dest]).request(a.url('/')))
    expect(err.code).toBe('redirect-refused')
    expect(a.hits).toHaveLength(4)
  })

  it('turns a POST into a GET on 303 and keeps credentials off another declared destination', T, async () => {
    const b = await ok()
    const a = await server((_req, res) => res.writeHead(303, { location: b.url('/after') }).end())
    const { egress } = factory([a, b])
    const res = await egress.forRoute('svc', [a.dest, b.dest]).request(a.url('/submit'), {
      method: 'POST',
      body: 'payload',
      headers: { authorization: 'Bearer t', 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(200)
    expect(a.hits[0]).toMatchObject({ method: 'POST', body: 'payload' })
    expect(b.hits[0]).toMatchObject({ method: 'GET', path: '/after', body: '' })
    expect(b.hits[0]?.headers.authorization).toBeUndefined()
    expect(b.hits[0]?.headers['content-type']).toBeUndefined()
  })
})
