/** A stand-in for an internal API that skills call, on the suite's loopback server. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer } from './loopback-server.js'

export type StandInHandler = (req: IncomingMessage, res: ServerResponse) => void

/** A local server on 127.0.0.1 standing in for an internal API, with a swappable handler. */
export interface StandInApi {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `127.0.0.1:<port>`: what an egress list and `egress.allowHttpLoopback` name. */
  hostPort: string
  /** Paths of every request received, in order. */
  readonly requests: string[]
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
  const server = await startServer(initial)
  return {
    url: server.url(''),
    hostPort: server.dest,
    get requests() {
      return server.hits.map((h) => h.path)
    },
    handle: (next) => server.handle(next),
    waitForRequests: (count, timeoutMs) => server.waitForHits(count, timeoutMs),
    close: () => server.close(),
  }
}
