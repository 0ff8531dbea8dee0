import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { checkListenHost, startHttpServer } from '../../src/http/server.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, TEST_SECRETS, type TestRouter, startSimulator } from '../helpers/router.js'
import { waitForState } from '../helpers/waits.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

async function get(
  url: string,
): Promise<{ status: number; type: string; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(PATIENCE) })
  const text = await res.text()
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  }
}

describe('HTTP on loopback', () => {
  it('serves /healthz, /ready, /metrics and /status, and nothing else', async () => {
    const r: TestRouter = await cleanup.router(startTestRouter())
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')

    const health = await get(`${r.httpUrl}/healthz`)
    expect(health.status).toBe(200)
    expect(health.json()).toEqual({ status: 'ok' })

    const ready = await get(`${r.httpUrl}/ready`)
    expect(ready.status).toBe(200)
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { stream: { ok: true, detail: 'connected' }, database: { ok: true }, migrations: { ok: true } },
    })

    const metrics = await get(`${r.httpUrl}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.type).toContain('text/plain')
    expect(metrics.text).toMatch(/^router_messages_total\{route="ping",outcome="replied"\} 1$/m)
    expect(metrics.text).toMatch(/^router_ack_latency_seconds_count 1$/m)
    expect(metrics.text).toContain('router_ack_latency_seconds_bucket')
    // In seconds: one loopback ack is well above a nanosecond and well under a second.
    const ackSum = Number(/^router_ack_latency_seconds_sum (\S+)$/m.exec(metrics.text)?.[1])
    expect(ackSum).toBeGreaterThan(1e-6)
    expect(ackSum).toBeLessThan(1)
    expect(metrics.text).toMatch(/^router_stream_connected 1$/m)

    const status = await get(`${r.httpUrl}/status`)
    expect(status.status).toBe(200)
    expect(status.json()).toMatchObject({ stream: 'connected', incident: { on: false } })
    expect((status.json().skills as { name: string }[]).map((s) => s.name)).toEqual(
      expect.arrayContaining(['ping', 'help']),
    )
    expect(status.text).not.toContain(TEST_SECRETS.clientSecret)
    expect(status.text).not.toContain(TEST_SECRETS.auditKey)

    expect((await get(`${r.httpUrl}/admin`)).status).toBe(404)
    const post = await fetch(`${r.httpUrl}/status`, { method: 'POST', body: '{}' })
    expect(post.status).toBe(405)
  })

  it('answers /ready 503 (naming the check) before the stream connects, and 200 once it does', async () => {
    const sim = await startSimulator(cleanup)
    sim.setRefuseConnections(true)
    const r = await cleanup.router(startTestRouter({ sim, connect: false }))

    const notReady = await get(`${r.httpUrl}/ready`)
    expect(notReady.status).toBe(503)
    expect(notReady.json()).toMatchObject({
      ready: false,
      checks: { stream: { ok: false }, database: { ok: true }, migrations: { ok: true } },
    })
    expect((await get(`${r.httpUrl}/healthz`)).status).toBe(200)
    expect((await get(`${r.httpUrl}/metrics`)).text).toMatch(/^router_stream_connected 0$/m)

    sim.setRefuseConnections(false)
    await waitForState(r.app, 'connected', PATIENCE)
    expect((await get(`${r.httpUrl}/ready`)).status).toBe(200)
  })
})

describe('/ready and a disk that fails', () => {
  it('answers 503 while the WAL checkpoint fails (commits alone do not prove the data reaches the file), 200 again once one copies', async () => {
    let failing = true
    let healthyRound!: () => void
    const recovered = new Promise<void>((resolve) => (healthyRound = resolve))
    const r = await cleanup.router(
      startTestRouter({
        walCheckpoint: () => {
          if (failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
          healthyRound()
          return { busy: 0, log: 5, checkpointed: 5 }
        },
      }),
    )
    await r.logs.waitFor((l) => l.msg === 'WAL backfill failed; retrying every round, logged once', PATIENCE)
    // Writes still commit: the write probe alone would have said ready.
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')

    const ready = await get(`${r.httpUrl}/ready`)
    expect(ready.status).toBe(503)
    const database = (ready.json().checks as Record<string, { ok: boolean; detail?: string }>).database!
    expect(database.ok).toBe(false)
    expect(database.detail).toMatch(
      /^committed data is not reaching the database file: the WAL checkpoint fails \(database or disk is full\) since .*; the disk is full; free space/,
    )
    const status = (await get(`${r.httpUrl}/status`)).json()
    expect((status.database as { warning?: string }).warning).toBe(database.detail)

    failing = false
    await recovered
    expect((await get(`${r.httpUrl}/ready`)).status).toBe(200)
  })
})

describe('the listener stays on loopback unless explicitly opted in', () => {
  const log = pino({ level: 'silent' })
  const base = {
    port: 0,
    log,
    registry: new Registry(),
    readiness: () => ({ ready: true, checks: {} }),
    status: () => ({}),
  }

  it('checkListenHost accepts loopback and refuses anything else without ROUTER_HTTP_ALLOW_PUBLIC', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1'])
      expect(checkListenHost(host, false)).toBeUndefined()
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '127.evil.example']) {
      expect(checkListenHost(host, false), host).toMatch(/ROUTER_HTTP_ALLOW_PUBLIC=1/)
      expect(checkListenHost(host, true), host).toBeUndefined()
    }
  })

  it('startHttpServer refuses 0.0.0.0 without the opt-in, and listens (with a warning) with it', async () => {
    await expect(startHttpServer({ ...base, host: '0.0.0.0', allowPublic: false })).rejects.toThrow(
      /ROUTER_HTTP_HOST=0\.0\.0\.0 is not a loopback address/,
    )

    const warnings: string[] = []
    const spy = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) })
    const server: Server = await startHttpServer({ ...base, log: spy, host: '0.0.0.0', allowPublic: true })
    cleanup.add(server, (s) => new Promise<void>((resolve) => s.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    expect(warnings.join('')).toContain('not on loopback')
  })
})
