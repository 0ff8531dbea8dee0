import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What simulator mode shows before every answer of the stand-in. */
export const STAND_IN_LABEL = '[local stand-in model]'

/** A running stand-in: its base URL for `model.baseUrl` and its `host:port` for the egress allowlist. */
export interface StandInModel {
  baseUrl: string
  dest: string
  close(): Promise<void>
}

interface Body {
  stream?: boolean
  messages?: { role?: string; content?: string | null }[]
  tools?: { function?: { name?: string } }[]
}

const TROUBLE = /error|fail|broken|down|slow|wrong|diag|错误|故障|报错|慢/i

/**
 * A tiny OpenAI-compatible Chat Completions server on loopback for simulator mode, so a newcomer can try
 * `ask` with no model account. It is deterministic, not a language model: questions about trouble get one
 * diagnostics_summary tool call (to show the tool path), everything else an explanation of what it is.
 * The router reaches it through the ordinary model client and egress client.
 * @example const standIn = await startStandInModel(); config.model.baseUrl = standIn.baseUrl
 */
export async function startStandInModel(): Promise<StandInModel> {
  const server = createServer((req, res) => void handle(req, res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  server.unref()
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    dest: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks).toString('utf8')
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions'))
    return send(res, 404, { error: { message: 'not found' } })
  let body: Body
  try {
    body = JSON.parse(raw) as Body
  } catch {
    return send(res, 400, { error: { message: 'invalid JSON' } })
  }
  const messages = body.messages ?? []
  const last = messages.at(-1)
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const offersDiagnostics = (body.tools ?? []).some((t) => t.function?.name === 'diagnostics_summary')
  let message: Record<string, unknown>
  if (last?.role === 'tool') {
    message = { role: 'assistant', content: `The router's diagnostics say:\n${(last.content ?? '').slice(0, 600)}` }
  } else if (offersDiagnostics && TROUBLE.test(question)) {
    message = {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_stand_in_1', type: 'function', function: { name: 'diagnostics_summary', arguments: '{}' } },
      ],
    }
  } else {
    message = {
      role: 'assistant',
      content: `You asked: "${question.slice(0, 120)}". I am a fixed stand-in, not a language model; set model.baseUrl and model.name for a real one. Ask about an error to see a tool call.`,
    }
  }
  // Rough usage figures (about four bytes per token): enough to see the metrics move.
  const usage = {
    prompt_tokens: Math.ceil(Buffer.byteLength(raw) / 4),
    completion_tokens: Math.ceil(Buffer.byteLength(JSON.stringify(message)) / 4),
  }
  if (body.stream === true) return streamMessage(res, message, usage)
  send(res, 200, {
    id: 'stand-in',
    object: 'chat.completion',
    model: 'local-stand-in',
    choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
    usage,
  })
}

/** The same answer as Server-Sent Events (`stream: true`): a few words per chunk, as a real model streams. */
function streamMessage(res: ServerResponse, message: Record<string, unknown>, usage: Record<string, number>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const event = (delta: unknown, extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, ...extra }] })}\n\n`,
    )
  if (message.tool_calls) {
    const calls = (message.tool_calls as Record<string, unknown>[]).map((c, index) => ({ index, ...c }))
    event({ role: 'assistant', tool_calls: calls }, { finish_reason: 'tool_calls' })
  } else {
    const words = String(message.content ?? '').match(/\S+\s*/g) ?? []
    for (let i = 0; i < words.length; i += 4) event({ content: words.slice(i, i + 4).join('') })
    event({}, { finish_reason: 'stop' })
  }
  res.write(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [], usage })}\n\n`)
  res.end('data: [DONE]\n\n')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
