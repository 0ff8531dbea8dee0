import { PassThrough } from 'node:stream'
import { z } from 'zod'
import { StreamedCompletion } from '../model/stream-completion.js'
import { EgressError, type EgressClient } from '../egress/client.js'
import type { GatewayRequest } from './request.js'

/** A finished agent answer and what the Gateway reported about it. */
export interface AgentResult {
  content: string
  /** Tool calls the Gateway reported in its answer (client function tools; the agent's own tools run inside it). */
  toolCalls: number
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
 * The SSE answer is read with the same StreamedCompletion as `ask`'s; a Gateway that answers plain JSON is
 * read as such. One attempt, no retry: an agent turn may have side effects, and the breaker counts each failure.
 * @example const turn = sendTurn(ctx.egress, request, 30_000); for await (const d of turn.deltas) card.append(d)
 */
export function sendTurn(egress: EgressClient, req: GatewayRequest, timeoutMs: number): AgentTurn {
  const deltas = new PassThrough({ objectMode: true })
  // The error reaches the caller through `done` (and a reader of `deltas`); an unread stream must not throw.
  deltas.on('error', () => undefined)
  let sent = 0
  const stream = new StreamedCompletion((textSoFar) => {
    deltas.write(textSoFar.slice(sent))
    sent = textSoFar.length
  })
  const done = egress
    .postStream(req.url, req.body, (piece) => stream.push(piece), { headers: req.headers, timeoutMs })
    .catch((err: unknown) => {
      if (err instanceof EgressError && err.code === 'http-status' && err.status && err.status < 500)
        throw new GatewayRefused(err.status, err.message)
      throw err
    })
    .then((whole): AgentResult => {
      const streamed = whole.trimStart().startsWith('data:')
      const raw = stream.result(whole)
      // A stream cut short (the Gateway or a proxy in between gave up) is not a whole answer.
      if (streamed && !stream.sawDone) throw new Error('the OpenClaw gateway stream ended before data: [DONE]')
      const parsed = completionSchema.safeParse(raw)
      if (!parsed.success) throw new Error('the OpenClaw gateway answered in an unexpected shape')
      const message = parsed.data.choices[0]!.message
      const content = message.content ?? ''
      // A plain JSON answer arrives whole: it is its own single delta.
      if (!streamed && content) deltas.write(content)
      const usage = parsed.data.usage
      return {
        content,
        toolCalls: message.tool_calls?.length ?? 0,
        usage: usage && {
          prompt: usage.prompt_tokens,
          completion: usage.completion_tokens,
          cached: usage.prompt_tokens_details?.cached_tokens,
        },
      }
    })
  void done.then(
    () => deltas.end(),
    (err: unknown) => deltas.destroy(err instanceof Error ? err : new Error(String(err))),
  )
  return { deltas, done }
}
