import { z } from 'zod'
import { countTokens } from '../budget/tokenizer.js'

// The Chat Completions types the model client speaks, the answer's schema, and prompt token counts.

/** One tool call as Chat Completions returns it; `arguments` is a JSON string written by the model. */
export interface ToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** A message in the OpenAI Chat Completions shape. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string }

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  type: 'function'
  function: { name: string; description: string; parameters: Record<string, unknown> }
}

/** What one model call produced, with the usage the API reported (or our own count when it reported none). */
export interface ModelTurn {
  content: string | null
  toolCalls: ToolCall[]
  promptTokens: number
  completionTokens: number
  latencyMs: number
}

/** The parts of a Chat Completions answer we read; anything else in it is ignored. */
export const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().min(1).max(200),
                function: z.object({ name: z.string().max(100), arguments: z.string().max(20_000) }),
              }),
            )
            .max(32)
            .optional(),
        }),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
})

// Chat formatting adds a few tokens per message and for the reply's start (OpenAI's published rule of thumb).
const PER_MESSAGE = 3
const REPLY_PRIMING = 3

/** The text of a request as the model reads it: every message's role and content, tool calls, tool schemas. */
function promptText(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): string {
  const parts: string[] = []
  for (const m of messages) {
    parts.push(m.role, m.content ?? '')
    if (m.role === 'assistant' && m.tool_calls) parts.push(JSON.stringify(m.tool_calls))
  }
  if (tools.length > 0) parts.push(JSON.stringify(tools))
  return parts.join('\n')
}

/**
 * The prompt tokens of a request when it is over `limit`, else undefined. Requests whose bytes already fit
 * are never tokenized, so the common small question costs nothing.
 * @example await promptOver([{ role: 'user', content: 'hi' }], [], 4000) // undefined
 */
export async function promptOver(
  messages: readonly ChatMessage[],
  tools: readonly ToolSpec[],
  limit: number,
): Promise<number | undefined> {
  const text = promptText(messages, tools)
  const overhead = PER_MESSAGE * messages.length + REPLY_PRIMING
  if (Buffer.byteLength(text) + overhead <= limit) return undefined
  const tokens = (await countTokens(text)) + overhead
  return tokens > limit ? tokens : undefined
}

/**
 * Prompt tokens of a request by our own count, for an API that reports no usage.
 * @example await promptTokens([{ role: 'user', content: 'hi' }], []) // 9
 */
export async function promptTokens(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): Promise<number> {
  return (await countTokens(promptText(messages, tools))) + PER_MESSAGE * messages.length + REPLY_PRIMING
}
