import { EventEmitter, once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { createEgressFactory } from '../../src/egress/factory.js'
import { recorder, refusal } from '../helpers/egress-refusals.js'
import { startServer, type Handler, type TestServer } from '../helpers/loopback-server.js'

const T = { timeout: 10_000 }
const servers: TestServer[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** `/sse` writes two events, waiting for the test's go-ahead in between; `/status/<n>` fails; `/big` is endless. */
function handler(gate: { open: () => Promise<void> }): Handler {
  return (req, res) => {
    const status = /^\/status\/(\d+)/.exec(req.url ?? '')
    if (status) return void res.writeHead(Number(status[1])).end('{"error":"no"}')
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    if (req.url === '/big') {
      const chunk = 'data: ' + 'x'.repeat(1000) + '\n\n'
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump)
      }
      return pump()
    }
    res.write('data: one\n\n')
    void gate.open().then(() => res.end('data: two\n\n'))
  }
}

async function setup(maxResponseBytes?: number) {
  let release: () => void = () => undefined
  const released = new Promise<void>((r) => (release = r))
  const s = await startServer(handler({ open: () => released }))
  servers.push(s)
  const rec = recorder()
  const egress = createEgressFactory({ allowHttpLoopback: [s.dest], onRefusal: rec.onRefusal, maxResponseBytes })
  return { s, rec, release, client: egress.forRoute('svc', [s.dest]) }
}

describe('postStream', () => {
  it('hands the answer over as it arrives, then resolves with all of it', T, async () => {
    const { s, client, release } = await setup()
    const pieces: string[] = []
    const firstSeen = new EventEmitter()
    const whole = client.postStream(s.url('/sse'), { q: 1 }, (p) => {
      pieces.push(p)
      firstSeen.emit('piece')
    })
    while (!pieces.join('').includes('one')) await once(firstSeen, 'piece')
    // The first event is there before the server has sent the second one.
    expect(pieces.join('')).toBe('data: one\n\n')
    release()
    expect(await whole).toBe('data: one\n\ndata: two\n\n')
    expect(s.hits[0]!.headers.accept).toContain('text/event-stream')
  })

  it('refuses a failing status and an answer over the size cap, like every other call', T, async () => {
    const { s, client, rec } = await setup(10_000)
    const status = await refusal(client.postStream(s.url('/status/503'), {}, () => undefined))
    expect(status).toMatchObject({ code: 'http-status', status: 503 })
    const big = await refusal(client.postStream(s.url('/big'), {}, () => undefined))
    expect(big.code).toBe('too-large')
    expect(rec.refusals.map((r) => r.code)).toEqual(['http-status', 'too-large'])
    const other = await refusal(client.postStream('http://127.0.0.1:1/x', {}, () => undefined))
    expect(other.code).toBe('not-allowed')
  })
})
