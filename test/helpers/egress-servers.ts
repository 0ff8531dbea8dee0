import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EgressError, type BreakerState } from '../../src/egress/client.js'
import type { EgressRefusal } from '../../src/egress/factory.js'

/** A request as a test server saw it, body included. */
export interface Hit {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port that records every request it receives. */
export interface TestServer {
  port: number
  /** `127.0.0.1:<port>`, the form a route declares. */
  dest: string
  url(path: string): string
  hits: Hit[]
  waitForHits(n: number): Promise<void>
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void

export async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = []
  const events = new EventEmitter()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }
      hits.push(hit)
      events.emit('hit')
      handler(req, res, hit)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    port,
    dest: `127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    async waitForHits(n) {
      while (hits.length < n) await once(events, 'hit')
    },
    async close() {
      // Hung handlers never end their responses; drop their sockets so close() can finish.
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A loopback port with nothing listening on it, for connection-refused cases. */
export async function freePort(): Promise<number> {
  const s = await startServer(() => undefined)
  await s.close()
  return s.port
}

/** Awaits a call that must fail and returns its EgressError. */
export async function refusal(call: Promise<unknown>): Promise<EgressError> {
  const outcome = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(outcome instanceof EgressError)) throw new Error(`expected an EgressError, got ${String(outcome)}`)
  return outcome
}

/** Records onRefusal events and breaker transitions, and lets a test wait for a given transition. */
export function recorder() {
  const refusals: EgressRefusal[] = []
  const changes: Array<[string, BreakerState]> = []
  const events = new EventEmitter()
  return {
    refusals,
    changes,
    onRefusal: (e: EgressRefusal) => void refusals.push(e),
    onBreakerChange: (destination: string, state: BreakerState) => {
      changes.push([destination, state])
      events.emit('change')
    },
    /** Resolves once `destination` has reported `state` at least `count` times in total. */
    async reached(destination: string, state: BreakerState, count = 1): Promise<void> {
      const seen = () => changes.filter(([d, s]) => d === destination && s === state).length
      while (seen() < count) await once(events, 'change')
    },
  }
}
