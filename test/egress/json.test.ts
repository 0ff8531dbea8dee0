import { afterEach, describe, expect, it } from 'vitest'
import { createEgressFactory } from '../../src/egress/factory.js'
import { recorder, refusal } from '../helpers/egress-refusals.js'
import { startServer, type Handler, type TestServer } from '../helpers/loopback-server.js'

const T = { timeout: 10_000 }
const servers: TestServer[] = []

async function server(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler)
  servers.push(s)
  return s
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** Echoes what it received as JSON; `/status/<n>` answers with that status, `/garbage` with non-JSON. */
const echo: Handler = (req, res, hit) => {
  const status = /^\/status\/(\d+)/.exec(req.url ?? '')
  if (status) return void res.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end('{"error":true}')
  if (req.url === '/garbage') return void res.end('<html>not json</html>')
  res.setHeader('content-type', 'application/json')
  res.end(
    JSON.stringify({
      method: hit.method,
      accept: hit.headers.accept,
      type: hit.headers['content-type'],
      body: hit.body,
    }),
  )
}

function setup(a: TestServer) {
  const rec = recorder()
  const egress = createEgressFactory({ allowHttpLoopback: [a.dest], onRefusal: rec.onRefusal })
  return { rec, client: egress.forRoute('svc', [a.dest]) }
}

describe('getJson / postJson', () => {
  it('getJson asks for JSON and parses the answer', T, async () => {
    const a = await server(echo)
    const { client } = setup(a)
    const got = await client.getJson<{ method: string; accept: string }>(a.url('/x'), {
      headers: { Accept: 'text/html' },
    })
    expect(got).toMatchObject({ method: 'GET', accept: 'application/json' })
  })

  it('postJson sends a JSON body with its content type', T, async () => {
    const a = await server(echo)
    const { client } = setup(a)
    const got = await client.postJson<{ body: string; type: string }>(a.url('/x'), { service: 'api', n: 1 })
    expect(got).toMatchObject({ method: 'POST', accept: 'application/json', type: 'application/json' })
    expect(JSON.parse(got.body)).toEqual({ service: 'api', n: 1 })
  })

  it('a non-2xx status is an http-status error carrying the status', T, async () => {
    const a = await server(echo)
    const { client, rec } = setup(a)
    const err = await refusal(client.getJson(a.url('/status/404?secret=1')))
    expect(err).toMatchObject({ code: 'http-status', status: 404, destination: a.dest })
    expect(rec.refusals[0]).toMatchObject({ route: 'svc', code: 'http-status' })
    expect(rec.refusals[0]?.message).not.toContain('secret')
    // request() itself hands back any status; deciding what it means is the caller's business.
    expect((await client.request(a.url('/status/404'))).status).toBe(404)
  })

  it('an unparsable answer is a network error', T, async () => {
    const a = await server(echo)
    const { client, rec } = setup(a)
    const err = await refusal(client.getJson(a.url('/garbage')))
    expect(err.code).toBe('network')
    expect(err.message).toMatch(/invalid JSON/)
    expect(rec.refusals.map((r) => r.code)).toEqual(['network'])
    const res = await client.request(a.url('/garbage'))
    expect(() => res.json()).toThrow(/invalid JSON/)
  })

  it('a body on a GET is a programming error, not an egress event', T, async () => {
    const a = await server(echo)
    const { client, rec } = setup(a)
    await expect(client.request(a.url('/'), { method: 'GET', body: 'x' })).rejects.toThrow(TypeError)
    expect(rec.refusals).toEqual([])
    expect(a.hits).toHaveLength(0)
  })
})
