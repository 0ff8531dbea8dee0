import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * How the fake answers one call. `usage` becomes the response's usage block (omit it to send none); `finish`
 * is the answer's finish_reason (default `stop`; `length` as when max_tokens cut it).
 */
export type FakeStep =
  | { content: string; usage?: FakeUsage; finish?: FakeFinish }
  | { tools: { name: string; args?: Record<string, unknown> }[]; content?: string; usage?: FakeUsage }
  | { status: number; body?: string }
  | { hang: true }
  /**
   * A streamed answer (`stream: true`): each piece is one SSE chunk; `between(i)` is awaited after piece i
   * is written, so a test can let the router show it before the next one comes. `finish: 'cut'` ends the
   * body cleanly right after the pieces, with no finish_reason, usage or [DONE], as a proxy that gives up does.
   */
  | { stream: string[]; usage?: FakeUsage; between?: (i: number) => Promise<void>; finish?: FakeFinish | 'cut' }

type FakeFinish = 'stop' | 'length'

export interface FakeUsage {
  prompt: number
  completion: number
}

/** One request the fake received, body parsed. */
export interface FakeCall {
  headers: IncomingHttpHeaders
  body: {
    model?: string
    messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[]
    tools?: { function: { name: string } }[]
    max_tokens?: number
    stream?: boolean
  }
}

/**
 * A local stand-in for an OpenAI-compatible Chat Completions API: node:http on 127.0.0.1, counting its calls,
 * answering from a script (content, tool calls, an HTTP status, or a hang), then from a default step.
 */
export interface FakeModel {
  /** For `model.baseUrl`: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string
  /** `127.0.0.1:<port>`, for `egress.allowHttpLoopback`. */
  dest: string
  calls: FakeCall[]
  /** Queues answers for the next calls, in order. */
  script(...steps: FakeStep[]): void
  /** What answers once the script is used up (default: a plain "ok" with usage 10/2). */
  otherwise(step: FakeStep): void
  waitForCalls(n: number): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the fake model.
 * @example const fake = await startFakeModel(); fake.script({ content: 'hi', usage: { prompt: 12, completion: 3 } })
 */
export async function startFakeModel(): Promise<FakeModel> {
  const calls: FakeCall[] = []
  const queue: FakeStep[] = []
  let fallback: FakeStep = { content: 'ok', usage: { prompt: 10, completion: 2 } }
  const events = new EventEmitter()
  let ids = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return void res.writeHead(404).end()
      calls.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeCall['body'] })
      events.emit('call')
      const step = queue.shift() ?? fallback
      const streamed = calls.at(-1)!.body.stream === true
      if ('stream' in step) void streamAnswer(res, step)
      else if (streamed && 'content' in step && !('tools' in step))
        void streamAnswer(res, { stream: [step.content], usage: step.usage, finish: step.finish })
      else answer(res, step, () => `call_${++ids}`)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    dest: `127.0.0.1:${port}`,
    calls,
    script: (...steps) => void queue.push(...steps),
    otherwise: (step) => void (fallback = step),
    async waitForCalls(n) {
      while (calls.length < n) await once(events, 'call')
    },
    async close() {
      // Hung answers never end; drop their sockets so close() can finish.
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function answer(res: ServerResponse, step: Exclude<FakeStep, { stream: string[] }>, nextId: () => string): void {
  if ('hang' in step) return
  if ('status' in step)
    return void res
      .writeHead(step.status, { 'content-type': 'application/json' })
      .end(step.body ?? '{"error":{"message":"scripted failure"}}')
  const toolCalls =
    'tools' in step
      ? step.tools.map((t) => ({
          id: nextId(),
          type: 'function',
          function: { name: t.name, arguments: JSON.stringify(t.args ?? {}) },
        }))
      : undefined
  const message = { role: 'assistant', content: step.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }
  const usage = step.usage
    ? {
        prompt_tokens: step.usage.prompt,
        completion_tokens: step.usage.completion,
        total_tokens: step.usage.prompt + step.usage.completion,
      }
    : undefined
  const finish = 'finish' in step ? (step.finish ?? 'stop') : toolCalls ? 'tool_calls' : 'stop'
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      model: 'fake',
      choices: [{ index: 0, message, finish_reason: finish }],
      ...(usage ? { usage } : {}),
    }),
  )
}

/** Writes an answer as Chat Completions Server-Sent Events, one chunk per piece, then usage and [DONE]. */
async function streamAnswer(res: ServerResponse, step: Extract<FakeStep, { stream: string[] }>): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`)
  for (const [i, piece] of step.stream.entries()) {
    event({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })
    await step.between?.(i)
  }
  if (step.finish === 'cut') return void res.end()
  event({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: step.finish ?? 'stop' }] })
  if (step.usage)
    event({
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: step.usage.prompt, completion_tokens: step.usage.completion },
    })
  res.end('data: [DONE]\n\n')
}
