import { randomUUID } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hasScope, resolveCaller, type FakeGatewayAuth } from './openclaw-fake-auth.js'

// A local stand-in for the OpenClaw Gateway's OpenAI-compatible endpoint, for tests and the demo.

/** What simulator mode shows before every answer of the stand-in Gateway. */
export const OPENCLAW_STAND_IN_LABEL = '[local OpenClaw stand-in]'

/** One request the fake Gateway received, and what it made of it: the facts tests assert on. */
export interface FakeGatewayCall {
  headers: IncomingHttpHeaders
  body: Record<string, unknown>
  status: number
  /** Set when the request was answered 4xx. */
  error?: string
  agentId?: string
  sessionKey?: string
  path?: 'shared-secret' | 'identity'
  identity?: string
  scopes?: string[]
  /** Whether the turn ran with owner semantics. */
  owner?: boolean
  channel?: string
}

/** A running fake Gateway. */
export interface FakeGateway {
  /** For `openclaw.routes.<name>.baseUrl`: `http://127.0.0.1:<port>`. */
  baseUrl: string
  /** `127.0.0.1:<port>`, for `egress.allowHttpLoopback`. */
  dest: string
  calls: FakeGatewayCall[]
  /** Turns per session key, in order (the user texts). */
  sessions: Map<string, string[]>
  waitForCalls(n: number): Promise<void>
  /** `mid-stream`: streamed answers send their first delta, then nothing more (a hung agent run). */
  stall(mode: 'none' | 'mid-stream'): void
  close(): Promise<void>
}

export interface FakeGatewayOptions {
  auth: FakeGatewayAuth
  /** Agent ids besides the default; default ['ops']. */
  agents?: string[]
  defaultAgent?: string
  port?: number
}

const RESERVED = ['subagent:', 'cron:', 'acp:']

/**
 * A local stand-in for the OpenClaw Gateway's OpenAI-compatible endpoint (POST /v1/chat/completions,
 * GET /v1/models), faithful to docs/gateway/openai-http-api.md: agent targets in `model`, a stable session per
 * `user`, x-openclaw-session-key with its reserved namespaces (400), the auth and scope matrix with the owner
 * rule, x-openclaw-model needing operator.admin (403), max_completion_tokens, and SSE streaming. Its
 * "agent" only echoes, saying which session turn it is and whether it ran as the owner.
 * @example const gw = await startFakeGateway({ auth: { mode: 'trusted-proxy' } }); route.baseUrl = gw.baseUrl
 */
export async function startFakeGateway(opts: FakeGatewayOptions): Promise<FakeGateway> {
  const calls: FakeGatewayCall[] = []
  let stallMode: 'none' | 'mid-stream' = 'none'
  const sessions = new Map<string, string[]>()
  const events = new EventEmitter()
  const agents = new Set([opts.defaultAgent ?? 'main', ...(opts.agents ?? ['ops'])])
  const defaultAgent = opts.defaultAgent ?? 'main'
  const server = createServer((req, res) => {
    void read(req).then((raw) => {
      const call = handle(req, res, raw)
      if (!call) return
      calls.push(call)
      events.emit('call')
    })
  })

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): FakeGatewayCall | undefined {
    if (req.method === 'GET' && req.url === '/v1/models') {
      const ids = ['openclaw', 'openclaw/default', ...[...agents].map((a) => `openclaw/${a}`)]
      send(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', owned_by: 'openclaw' })) })
      return undefined
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      send(res, 404, { error: { message: 'not found', type: 'not_found' } })
      return undefined
    }
    const headers = req.headers
    const fail = (
      status: number,
      message: string,
      type = 'invalid_request_error',
      extra: Partial<FakeGatewayCall> = {},
    ) => {
      send(res, status, { error: { message, type } })
      return { headers, body, status, error: message, ...extra }
    }
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return fail(400, 'invalid JSON body')
    }
    const caller = resolveCaller(opts.auth, headers)
    if (!caller.ok) return fail(caller.status, caller.message, 'unauthorized')
    const who = { path: caller.path, identity: caller.identity, scopes: caller.scopes, owner: caller.owner }
    if (
      headers['x-openclaw-model'] !== undefined &&
      caller.path === 'identity' &&
      !hasScope(caller.scopes, 'operator.admin')
    )
      return fail(403, 'missing scope: operator.admin', 'forbidden', who)
    if (!hasScope(caller.scopes, 'operator.write')) return fail(403, 'missing scope: operator.write', 'forbidden', who)
    const agentId = agentOf(String(body.model ?? ''), headers['x-openclaw-agent-id'], defaultAgent)
    if (!agentId || !agents.has(agentId))
      return fail(400, `unknown agent target: ${String(body.model).slice(0, 60)}`, 'invalid_request_error', who)
    const explicitKey = headers['x-openclaw-session-key']
    if (typeof explicitKey === 'string' && RESERVED.some((p) => explicitKey.startsWith(p)))
      return fail(400, 'x-openclaw-session-key uses a reserved namespace', 'invalid_request_error', who)
    const cap = body.max_completion_tokens
    if (cap !== undefined && cap !== null && !(Number.isSafeInteger(cap) && (cap as number) > 0))
      return fail(400, 'max_completion_tokens must be a positive safe integer', 'invalid_request_error', who)
    const user = typeof body.user === 'string' && body.user ? body.user : undefined
    const sessionKey =
      typeof explicitKey === 'string'
        ? explicitKey
        : user
          ? `agent:${agentId}:openai-user:${user}`
          : `agent:${agentId}:${randomUUID()}`
    const messages = Array.isArray(body.messages) ? (body.messages as { role?: string; content?: unknown }[]) : []
    const text = String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '')
    const history = sessions.get(sessionKey) ?? []
    history.push(text)
    sessions.set(sessionKey, history)
    const channel =
      typeof headers['x-openclaw-message-channel'] === 'string' ? headers['x-openclaw-message-channel'] : undefined
    const answer = capped(
      `${OPENCLAW_STAND_IN_LABEL} agent ${agentId}, turn ${history.length} of this session, ${caller.owner ? 'as the OWNER' : 'not as the owner'} (scopes: ${caller.scopes.join(',') || 'none'}). You said: ${text.slice(0, 200)}`,
      typeof cap === 'number' ? cap : undefined,
    )
    const usage = {
      prompt_tokens: Math.ceil(Buffer.byteLength(JSON.stringify(messages)) / 4),
      completion_tokens: Math.ceil(Buffer.byteLength(answer.text) / 4),
      prompt_tokens_details: { cached_tokens: Math.ceil(Buffer.byteLength(history.slice(0, -1).join('\n')) / 4) },
    }
    if (body.stream === true)
      stream(res, answer, usage, {
        withUsage: (body.stream_options as { include_usage?: boolean })?.include_usage === true,
        stall: stallMode === 'mid-stream',
      })
    else
      send(res, 200, {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        model: `openclaw/${agentId}`,
        choices: [{ index: 0, message: { role: 'assistant', content: answer.text }, finish_reason: answer.finish }],
        usage,
      })
    return { headers, body, status: 200, agentId, sessionKey, channel, ...who }
  }

  server.listen(opts.port ?? 0, '127.0.0.1')
  await once(server, 'listening')
  server.unref()
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dest: `127.0.0.1:${port}`,
    calls,
    sessions,
    async waitForCalls(n) {
      while (calls.length < n) await once(events, 'call')
    },
    stall: (mode) => void (stallMode = mode),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// `openclaw`, `openclaw/default` → the default agent; `openclaw/<id>`, `openclaw:<id>`, `agent:<id>` → that agent.
function agentOf(model: string, override: string | string[] | undefined, fallback: string): string | undefined {
  if (typeof override === 'string' && override) return override
  if (model === 'openclaw' || model === 'openclaw/default') return fallback
  return /^(?:openclaw[/:]|agent:)([A-Za-z0-9_.-]{1,64})$/.exec(model)?.[1]
}

// About four bytes per token: a cap of n tokens keeps about 4n bytes, and says it stopped for length.
function capped(text: string, cap?: number): { text: string; finish: 'stop' | 'length' } {
  if (cap === undefined || Buffer.byteLength(text) <= cap * 4) return { text, finish: 'stop' }
  let out = ''
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > cap * 4) break
    out += ch
  }
  return { text: out, finish: 'length' }
}

function stream(
  res: ServerResponse,
  answer: { text: string; finish: string },
  usage: object,
  o: { withUsage: boolean; stall: boolean },
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const id = `chatcmpl-${randomUUID()}`
  const chunk = (choices: unknown[], extra: object = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices, ...extra })}\n\n`)
  chunk([{ index: 0, delta: { role: 'assistant' }, finish_reason: null }])
  const chars = [...answer.text]
  for (let i = 0; i < chars.length; i += 16) {
    chunk([{ index: 0, delta: { content: chars.slice(i, i + 16).join('') }, finish_reason: null }])
    if (o.stall) return // the connection stays open and silent until the caller gives up
  }
  chunk([{ index: 0, delta: {}, finish_reason: answer.finish }])
  if (o.withUsage) chunk([], { usage })
  res.end('data: [DONE]\n\n')
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
