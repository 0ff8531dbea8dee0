import type { IncomingMessage, ServerResponse } from 'node:http'
import { isRecord, readBody, requestId } from './http-util.js'
import { parseJson } from '../json.js'
import { sameSecret } from '../constant-time.js'
import type { Subscription, TicketStore } from './tickets.js'
import type { SimStats } from './types.js'

// The simulator's connection-open endpoint: checks credentials and hands out a single-use ticket.

/** What `POST /v1.0/gateway/connections/open` needs from the simulator. */
export interface OpenEndpointDeps {
  clientId: string
  clientSecret: string
  tickets: TicketStore
  stats: SimStats
  refusing: () => boolean
  /** `ws://host:port/connect` */
  endpoint: () => string
}

/** The real gateway answers XML unless asked for JSON (DINGTALK.md §1); clients that forget must notice. */
function respond(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, string>): void {
  const wantsJson = (req.headers.accept ?? '').toLowerCase().includes('json')
  const text = wantsJson
    ? JSON.stringify(body)
    : '<?xml version="1.0" encoding="UTF-8"?><Response>' +
      Object.entries(body)
        .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
        .join('') +
      '</Response>'
  res.writeHead(status, {
    'content-type': wantsJson ? 'application/json;charset=utf-8' : 'application/xml;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}

function parseSubscriptions(v: unknown): Subscription[] {
  if (!Array.isArray(v)) return []
  return v
    .filter((s): s is Subscription => isRecord(s) && typeof s.type === 'string' && typeof s.topic === 'string')
    .map((s) => ({ type: s.type, topic: s.topic }))
}

/**
 * Handle `POST /v1.0/gateway/connections/open`: check credentials, hand out a single-use ticket.
 * @example
 * routes.set('POST /v1.0/gateway/connections/open', (req, res) => handleOpen(deps, req, res))
 */
export async function handleOpen(deps: OpenEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  deps.stats.openCalls++
  const body = await readBody(req, 64_000)
  if (deps.refusing()) {
    deps.stats.openRefused++
    respond(req, res, 503, { code: 'serviceUnavailable', message: '服务暂不可用(simulated)', requestid: requestId() })
    return
  }
  const json = body.tooLarge ? undefined : parseJson(body.text)
  if (!isRecord(json) || typeof json.clientId !== 'string' || typeof json.clientSecret !== 'string') {
    respond(req, res, 400, {
      code: 'invalidParameter',
      message: 'clientId and clientSecret are required',
      requestid: requestId(),
    })
    return
  }
  if (json.clientId !== deps.clientId || !sameSecret(json.clientSecret, deps.clientSecret)) {
    respond(req, res, 401, { code: 'authFailed', message: '鉴权失败', requestid: requestId() })
    return
  }
  const ticket = deps.tickets.issue(parseSubscriptions(json.subscriptions))
  respond(req, res, 200, { endpoint: deps.endpoint(), ticket })
}
