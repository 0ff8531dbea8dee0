import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type StandInHandler = (req: IncomingMessage, res: ServerResponse) => void

/** A local node:http server on 127.0.0.1 standing in for an internal API, with a swappable handler. */
export interface StandInApi {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `127.0.0.1:<port>`: what an egress list and `egress.allowHttpLoopback` name. */
  hostPort: string
  /** Paths of every request received, in order. */
  requests: string[]
  /** Replaces how requests are answered from now on. */
  handle(handler: StandInHandler): void
  /** Resolves once `count` requests in total have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** Answers `GET /v1/<service>` with `{ "state": "ok" }`, like a healthy status API. */
export const healthy: StandInHandler = (req, res) => json(res, 200, { state: 'ok', message: `all good at ${req.url}` })

/** Never answers: the request stays open until the server closes. */
export const hung: StandInHandler = () => undefined

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/**
 * Starts a stand-in API on an ephemeral loopback port.
 * @example const api = await startStandInApi(); api.handle(hung); … await api.close()
 */
export async function startStandInApi(initial: StandInHandler = healthy): Promise<StandInApi> {
  let handler = initial
  const requests: string[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '/')
    for (const w of waiters.splice(0)) requests.length >= w.count ? w.resolve() : waiters.push(w)
    handler(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      handler = next
    },
    waitForRequests(count, timeoutMs = 15_000) {
      if (requests.length >= count) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stand-in API: ${requests.length} of ${count} requests within ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve()
          },
        })
      })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
