/**
 * The one recording HTTP server of the suite: node:http on 127.0.0.1 with an ephemeral port, keeping every
 * request it receives (body included). Egress targets, stand-in APIs and traps for requests that must never
 * be made are all this server with a different handler.
 */
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Cleanup } from './cleanup.js'
import { PATIENCE } from './patience.js'
import { waitForEvent } from './waits.js'

/** A request as the server saw it, body included. */
export interface Hit {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void

export interface TestServer {
  port: number
  /** `127.0.0.1:<port>`, the form a route, an egress list and `egress.allowHttpLoopback` name. */
  dest: string
  url(path: string): string
  hits: Hit[]
  /** Replaces how requests are answered from now on. */
  handle(handler: Handler): void
  /** Resolves once `n` requests in total have arrived. */
  waitForHits(n: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/**
 * Starts a server answering with `handler` (swappable with `handle`).
 * @example const api = await startServer((_req, res) => res.end('{}')); … api.hits[0].path; await api.close()
 */
export async function startServer(handler: Handler): Promise<TestServer> {
  let current = handler
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
      current(req, res, hit)
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
    handle: (next) => {
      current = next
    },
    waitForHits: (n, timeoutMs = PATIENCE) =>
      waitForEvent(
        events,
        'hit',
        () => hits.length >= n,
        timeoutMs,
        () => `${hits.length} of ${n} requests`,
      ),
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

/**
 * A loopback server that counts every request (one that must never be made, or a redirect to one); answers
 * like a webhook would. Closed by `cleanup`.
 */
export async function countingServer(
  cleanup: Cleanup,
  handler: Handler = (_req, res) => res.end('{"errcode":0,"errmsg":"ok"}'),
): Promise<{ port: number; hits: () => number; readonly paths: string[] }> {
  const server = cleanup.add(await startServer(handler), (s) => s.close())
  return {
    port: server.port,
    hits: () => server.hits.length,
    get paths() {
      return server.hits.map((h) => h.path)
    },
  }
}
