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
  /**
   * Why the model stopped, as it said: `stop` (a whole answer), `length` (cut at `max_tokens`), `tool_calls`,
   * `content_filter`, …; undefined when it did not say.
   */
  finishReason?: string
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
        finish_reason: z.string().max(64).nullable().optional(),
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
 * One request's prompt by the router's own count, counted at most once: the budget check tokenizes only a
 * prompt whose bytes do not already fit (so the common small question costs nothing), and the usage record
 * of a call the API reported no prompt tokens for (a failed one included) reuses that count or makes it then.
 * @example const size = new PromptSize(messages, tools); if ((await size.over(4000)) === undefined) send(await size.tokens())
 */
export class PromptSize {
  private readonly text: string
  private readonly overhead: number
  private counted?: Promise<number>

  constructor(messages: readonly ChatMessage[], tools: readonly ToolSpec[]) {
    // Read now: the caller may go on adding messages to the same array for the next round.
    this.text = promptText(messages, tools)
    this.overhead = PER_MESSAGE * messages.length + REPLY_PRIMING
  }

  /** True when `other` is the same prompt, so its count stands for this one too. */
  sameAs(other: PromptSize): boolean {
    return this.text === other.text && this.overhead === other.overhead
  }

  /** The prompt's tokens when they are over `limit`, else undefined; a prompt whose bytes fit is not tokenized. */
  async over(limit: number): Promise<number | undefined> {
    if (Buffer.byteLength(this.text) + this.overhead <= limit) return undefined
    const tokens = await this.tokens()
    return tokens > limit ? tokens : undefined
  }

  /** The prompt's tokens by our count (the one `over` made, when it made one). */
  tokens(): Promise<number> {
    this.counted ??= countTokens(this.text).then((n) => n + this.overhead)
    return this.counted
  }
}

/**
 * Prompt tokens of a request by our own count, for an API that reports no usage.
 * @example await promptTokens([{ role: 'user', content: 'hi' }], []) // 9
 */
export async function promptTokens(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): Promise<number> {
  return new PromptSize(messages, tools).tokens()
}
