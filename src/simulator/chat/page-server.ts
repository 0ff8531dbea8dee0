import { access, readFile } from 'node:fs/promises'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { packagePath } from '../../package-root.js'
import { localRequestRefusal } from '../../http/local-request.js'

// Serves the simulator's web chat page on loopback, with a same-origin proxy to the /sim API.

/**
 * Someone the chat page lets you be.
 * @example
 * { key: 'op1', staffId: 'op1', nick: 'operator-one', label: 'Operator one', role: 'operator' }
 */
export interface ChatPerson {
  key: string
  /** Sent as `senderStaffId`, the identity the router's allowlists check. */
  staffId: string
  /** Sent as `senderNick`. */
  nick: string
  label: string
  role: 'user' | 'operator' | 'stranger'
}

/**
 * A group the chat page offers besides the one-to-one chat with the bot.
 * @example
 * { conversationId: 'cid-ops', title: '运维群 ops' }
 */
export interface ChatGroup {
  conversationId: string
  title: string
}

/**
 * Options of {@link startChatPage}.
 * @example
 * await startChatPage({ simulatorUrl: sim.baseUrl, port: 0, people, groups })
 */
export interface ChatPageOptions {
  /** The simulator's base URL; the page reaches it only through this server's `/sim/*` proxy. */
  simulatorUrl: string
  port?: number
  host?: string
  people: ChatPerson[]
  groups: ChatGroup[]
  botName?: string
}

/**
 * A running chat page server.
 * @example
 * const page = await startChatPage(opts); console.log(page.url); await page.stop()
 */
export interface ChatPage {
  url: string
  stop(): Promise<void>
}

// From the package root: the assets are not compiled, so the production build reads them from src/.
const PUBLIC = `${packagePath('src/simulator/chat/public')}/`
const ASSETS: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/chat.css': ['chat.css', 'text/css; charset=utf-8'],
  '/chat.js': ['chat.js', 'text/javascript; charset=utf-8'],
  '/markdown.js': ['markdown.js', 'text/javascript; charset=utf-8'],
  '/approvals.js': ['approvals.js', 'text/javascript; charset=utf-8'],
}
/** The only simulator routes the page may use: say something, press a card button, watch the conversation, see the bot's connection. */
const PROXIED = new Set(['POST /sim/messages', 'POST /sim/card-callback', 'GET /sim/events', 'GET /sim/state'])
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/**
 * Serve the simulator's web chat page on loopback: static files plus a same-origin proxy to the
 * simulator's `/sim` API, so the page speaks exactly the protocol `npm run say` does and needs no CORS.
 * @example
 * const page = await startChatPage({ simulatorUrl: sim.baseUrl, port: 8091, people, groups })
 */
export async function startChatPage(opts: ChatPageOptions): Promise<ChatPage> {
  // The assets are plain files next to this module; a tsc-only build (dist/) does not copy them.
  await access(PUBLIC + 'index.html').catch(() => {
    throw new Error(`chat page files not found in ${PUBLIC}: run from the source tree (npm start)`)
  })
  const config = JSON.stringify({ people: opts.people, groups: opts.groups, botName: opts.botName ?? 'Ops Router' })
  let port = 0
  const server: Server = createServer((req, res) => {
    req.on('error', () => undefined)
    handle(req, res, opts.simulatorUrl, config, port).catch((err: unknown) =>
      send(res, 500, 'text/plain; charset=utf-8', String(err)),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const { address, port: bound } = server.address() as AddressInfo
  port = bound // the Host check compares against the port actually bound (0 picks one)
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    stop: () => {
      // Event streams never end by themselves: cut them, or close() would wait forever.
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  simulatorUrl: string,
  config: string,
  port: number,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://page')
  const route = `${req.method ?? 'GET'} ${url.pathname}`
  // Loopback Host only (DNS rebinding), and for posts same origin and JSON: otherwise a cross-site form or
  // fetch could speak as an operator.
  const refusal = localRequestRefusal(req, port)
  if (refusal) return send(res, 403, 'text/plain', refusal)
  if (PROXIED.has(route)) return proxy(req, res, new URL(url.pathname + url.search, simulatorUrl))
  if (route === 'GET /config.json') return send(res, 200, 'application/json; charset=utf-8', config)
  const asset = req.method === 'GET' ? ASSETS[url.pathname] : undefined
  if (!asset) return send(res, 404, 'text/plain', 'not found')
  send(res, 200, asset[1], await readFile(PUBLIC + asset[0]))
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-cache',
    'content-length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
  })
  res.end(body)
}

/** Stream the request to the simulator and its answer back, event streams included. */
function proxy(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const headers: Record<string, string> = {}
  for (const name of ['content-type', 'accept', 'last-event-id']) {
    const v = req.headers[name]
    if (typeof v === 'string') headers[name] = v
  }
  const upstream = request(target, { method: req.method, headers }, (up) => {
    const out: Record<string, string> = { 'cache-control': 'no-store', ...SECURITY_HEADERS }
    for (const name of ['content-type', 'content-length']) {
      const v = up.headers[name]
      if (typeof v === 'string') out[name] = v
    }
    res.writeHead(up.statusCode ?? 502, out)
    res.flushHeaders()
    up.pipe(res)
  })
  upstream.on('error', (err) => {
    if (res.headersSent) return void res.destroy()
    send(
      res,
      502,
      'application/json; charset=utf-8',
      JSON.stringify({ error: `the simulator at ${target.origin} is not answering (${err.message})` }),
    )
  })
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
}
