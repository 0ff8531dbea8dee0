import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createEgressFactory, type EgressOptions } from '../../src/egress/factory.js'
import { recorder, refusal } from '../helpers/egress-refusals.js'
import { freePort, startServer, type Handler, type TestServer } from '../helpers/loopback-server.js'

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

function setup(dests: string[], extra: EgressOptions = {}) {
  const rec = recorder()
  const egress = createEgressFactory({
    allowHttpLoopback: dests,
    onRefusal: rec.onRefusal,
    onBreakerChange: rec.onBreakerChange,
    ...extra,
  })
  return { egress, rec, client: egress.forRoute('svc', dests) }
}

describe('timeouts', () => {
  it('a hung server fails with timeout within the configured bound', T, async () => {
    const a = await server(() => undefined)
    const { client, rec } = setup([a.dest], { defaultTimeoutMs: 200 })
    const started = Date.now()
    const err = await refusal(client.request(a.url('/')))
    expect(err.code).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(rec.refusals[0]).toMatchObject({ route: 'svc', destination: a.dest, code: 'timeout' })
  })

  it('a body that stalls half-way also times out (the deadline covers the body read)', T, async () => {
    const a = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('partial')
    })
    const { client } = setup([a.dest])
    const started = Date.now()
    expect((await refusal(client.request(a.url('/'), { timeoutMs: 200 }))).code).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('size cap', () => {
  it('refuses a declared body over the cap', T, async () => {
    const a = await server((_req, res) => res.end('x'.repeat(2048)))
    const { client, rec } = setup([a.dest], { maxResponseBytes: 1024 })
    expect((await refusal(client.request(a.url('/')))).code).toBe('too-large')
    expect((await client.request(a.url('/'), { maxBytes: 4096 })).text).toHaveLength(2048)
    expect(rec.refusals.map((r) => r.code)).toEqual(['too-large'])
  })

  it('counts bytes of an endless chunked body and drops the connection', T, async () => {
    let closed: Promise<unknown> = Promise.resolve()
    const a = await server((_req, res) => {
      closed = once(res, 'close')
      const pump = () => {
        while (!res.destroyed && res.write(Buffer.alloc(4096, 97)));
        if (!res.destroyed) res.once('drain', pump)
      }
      pump()
    })
    const { client } = setup([a.dest], { maxResponseBytes: 64 * 1024 })
    expect((await refusal(client.request(a.url('/')))).code).toBe('too-large')
    await closed // the server sees the client go away rather than streaming forever
  })
})

describe('circuit breaker', () => {
  it(
    'opens after N consecutive failures, fails fast, half-opens after the cool-down and closes on success',
    T,
    async () => {
      let status = 500
      const a = await server((_req, res) => res.writeHead(status).end('answer'))
      const { client, egress, rec } = setup([a.dest], { breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } })
      expect(egress.breakerStates()).toEqual({ [a.dest]: 'closed' })
      for (let i = 0; i < 3; i++) expect((await client.request(a.url('/'))).status).toBe(500)
      expect(egress.breakerState(a.dest)).toBe('open')

      const halfOpen = rec.reached(a.dest, 'half-open')
      const started = Date.now()
      expect((await refusal(client.request(a.url('/')))).code).toBe('breaker-open')
      expect(Date.now() - started).toBeLessThan(300)
      expect(a.hits).toHaveLength(3)

      await halfOpen
      expect(egress.breakerState(a.dest)).toBe('half-open')
      status = 200
      expect((await client.request(a.url('/'))).status).toBe(200)
      expect(egress.breakerState(a.dest)).toBe('closed')
      expect(rec.changes).toEqual([
        [a.dest, 'open'],
        [a.dest, 'half-open'],
        [a.dest, 'closed'],
      ])
      expect(rec.refusals.map((r) => r.code)).toEqual(['breaker-open'])
    },
  )

  it('a failed trial call opens it again', T, async () => {
    const a = await server((_req, res) => res.writeHead(503).end())
    const { client, egress, rec } = setup([a.dest], { breaker: { consecutiveFailures: 1, halfOpenAfterMs: 100 } })
    await client.request(a.url('/'))
    await rec.reached(a.dest, 'half-open')
    await client.request(a.url('/'))
    expect(egress.breakerState(a.dest)).toBe('open')
    await rec.reached(a.dest, 'half-open', 2)
    expect(rec.changes.map(([, s]) => s)).toEqual(['open', 'half-open', 'open', 'half-open'])
  })

  it('counts timeouts and network errors but not 4xx or refusals', T, async () => {
    const hung = await server(() => undefined)
    const notFound = await server((_req, res) => res.writeHead(404).end())
    const dead = `127.0.0.1:${await freePort()}`
    const { egress } = setup([hung.dest, notFound.dest, dead], {
      defaultTimeoutMs: 100,
      breaker: { consecutiveFailures: 1 },
      maxResponseBytes: 1,
    })
    const client = egress.forRoute('svc', [hung.dest, notFound.dest, dead])
    await refusal(client.request(hung.url('/')))
    await refusal(client.request(`http://${dead}/`))
    for (let i = 0; i < 3; i++) await client.request(notFound.url('/'))
    await refusal(client.request('https://elsewhere.example/'))
    expect(egress.breakerStates()).toEqual({ [hung.dest]: 'open', [notFound.dest]: 'closed', [dead]: 'open' })
  })

  it('is shared by every route that reaches the destination', T, async () => {
    const a = await server((_req, res) => res.writeHead(500).end())
    const { egress, client } = setup([a.dest], { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } })
    await client.request(a.url('/'))
    await egress.forRoute('other', [a.dest]).request(a.url('/'))
    expect((await refusal(egress.forRoute('third', [a.dest]).getJson(a.url('/')))).code).toBe('breaker-open')
    expect(a.hits).toHaveLength(2)
  })
})

describe('bulkhead', () => {
  it('refuses a call past the per-destination limit without reaching the server', T, async () => {
    const held: ServerResponse[] = []
    let holding = true
    const a = await server((_req, res) => (holding ? void held.push(res) : res.end('done')))
    const { client, egress, rec } = setup([a.dest], {
      maxConcurrentPerDestination: 2,
      breaker: { consecutiveFailures: 1 },
    })
    const first = client.request(a.url('/1'))
    const second = egress.forRoute('other', [a.dest]).request(a.url('/2'))
    await a.waitForHits(2)
    const err = await refusal(client.request(a.url('/3')))
    expect(err.code).toBe('bulkhead-full')
    expect(rec.refusals[0]).toMatchObject({ route: 'svc', destination: a.dest, code: 'bulkhead-full' })
    holding = false
    for (const res of held) res.end('done')
    expect((await Promise.all([first, second])).map((r) => r.text)).toEqual(['done', 'done'])
    expect(a.hits).toHaveLength(2)
    // Being busy is not being broken.
    expect(egress.breakerState(a.dest)).toBe('closed')
    expect((await client.request(a.url('/4'))).status).toBe(200)
  })
})
