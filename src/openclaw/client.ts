import { PassThrough } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { z } from 'zod'
import type { EgressClient } from '../egress/client.js'
import type { GatewayRequest } from './request.js'
import { SseReader, type StreamChunk } from './sse.js'

/** A finished agent answer and what the Gateway reported about it. */
export interface AgentResult {
  content: string
  /** Tool calls the Gateway reported in its answer (client function tools; the agent's own tools run inside it). */
  toolCalls: number
  finishReason?: string
  usage?: { prompt?: number; completion?: number; cached?: number }
}

/**
 * One turn in flight: its text deltas as they arrive (a streaming card reads these), and the whole answer.
 * `deltas` ends when the answer is complete and fails with the same error as `done`.
 */
export interface AgentTurn {
  deltas: AsyncIterable<string>
  done: Promise<AgentResult>
}

/**
 * The Gateway refused the request (4xx): auth, scopes or the request itself is wrong. Its destination is
 * healthy, so this never opens the breaker; an operator has to fix the settings.
 */
export class GatewayRefused extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`the OpenClaw gateway answered ${status}: ${detail}`)
    this.name = 'GatewayRefused'
  }
}

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(z.unknown()).max(64).optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().optional() }).optional(),
    })
    .optional(),
})

/**
 * Sends one turn through the route's egress client (allowlist, timeout, breaker) and returns it in flight.
 * One attempt, no retry: an agent turn may have side effects, and the breaker counts each failure.
 * @example const turn = sendTurn(ctx.egress, request, 30_000); for await (const d of turn.deltas) card.append(d)
 */
export function sendTurn(egress: EgressClient, req: GatewayRequest, timeoutMs: number): AgentTurn {
  const deltas = new PassThrough({ objectMode: true })
  // The error reaches the caller through `done` (and a reader of `deltas`); an unread stream must not throw.
  deltas.on('error', () => undefined)
  let content = ''
  let toolCalls = 0
  let finishReason: string | undefined
  let usage: AgentResult['usage']
  const reader = new SseReader((chunk: StreamChunk) => {
    for (const choice of chunk.choices ?? []) {
      const text = choice.delta?.content
      if (text) {
        content += text
        deltas.write(text)
      }
      toolCalls += choice.delta?.tool_calls?.length ?? 0
      if (choice.finish_reason) finishReason = choice.finish_reason
    }
    if (chunk.usage) usage = usageOf(chunk.usage)
  })
  const decoder = new StringDecoder('utf8')
  const done = egress
    .request(req.url, {
      method: 'POST',
      headers: { ...req.headers, 'content-type': 'application/json', accept: 'text/event-stream, application/json' },
      body: JSON.stringify(req.body),
      timeoutMs,
      onBody: req.body.stream ? (bytes) => reader.feed(decoder.write(Buffer.from(bytes))) : undefined,
    })
    .then((res): AgentResult => {
      if (res.status >= 400 && res.status <= 499) throw new GatewayRefused(res.status, errorDetail(res.text))
      if (res.status < 200 || res.status > 299) throw new Error(`the OpenClaw gateway answered ${res.status}`)
      const streamed = req.body.stream && (res.headers['content-type'] ?? '').includes('text/event-stream')
      if (streamed) {
        reader.feed(decoder.end())
        reader.end()
        if (!reader.done) throw new Error('the OpenClaw gateway stream ended before data: [DONE]')
        return { content, toolCalls, finishReason, usage }
      }
      const parsed = completionSchema.safeParse(safeJson(res.text))
      if (!parsed.success) throw new Error('the OpenClaw gateway answered in an unexpected shape')
      const choice = parsed.data.choices[0]!
      const text = choice.message.content ?? ''
      if (text) deltas.write(text)
      return {
        content: text,
        toolCalls: choice.message.tool_calls?.length ?? 0,
        finishReason: choice.finish_reason ?? undefined,
        usage: parsed.data.usage ? usageOf(parsed.data.usage) : undefined,
      }
    })
  void done.then(
    () => deltas.end(),
    (err: unknown) => deltas.destroy(err instanceof Error ? err : new Error(String(err))),
  )
  return { deltas, done }
}

function usageOf(u: NonNullable<StreamChunk['usage']>): AgentResult['usage'] {
  return { prompt: u.prompt_tokens, completion: u.completion_tokens, cached: u.prompt_tokens_details?.cached_tokens }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

// OpenAI-style error bodies: `{"error":{"message":…,"type":…}}`. Only a short message is kept.
function errorDetail(text: string): string {
  const body = safeJson(text) as { error?: { message?: unknown; type?: unknown } } | undefined
  const message = body?.error?.message
  return (typeof message === 'string' ? message : text).replace(/\s+/g, ' ').slice(0, 160)
}
