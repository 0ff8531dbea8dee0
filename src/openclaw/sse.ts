import { z } from 'zod'

/** The parts of a Chat Completions stream chunk the router reads. */
const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z
          .object({ content: z.string().nullable().optional(), tool_calls: z.array(z.unknown()).optional() })
          .optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .optional(),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().optional() }).optional(),
    })
    .nullable()
    .optional(),
})

/** What one stream chunk said. */
export type StreamChunk = z.infer<typeof chunkSchema>

/**
 * An incremental Server-Sent Events reader for Chat Completions streams: feed it text as it arrives, it hands
 * over each `data:` JSON chunk and notes the closing `data: [DONE]`. Lines it cannot read are counted, not fatal.
 * @example const p = new SseReader((c) => out.push(c)); p.feed('data: {"choices":[]}\n\n'); p.end()
 */
export class SseReader {
  private buffer = ''
  done = false
  unreadable = 0

  constructor(private readonly onChunk: (chunk: StreamChunk) => void) {}

  feed(text: string): void {
    this.buffer += text
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer)
      if (!match) return
      const event = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      this.event(event)
    }
  }

  /** Reads what is left after the body ended (a last event without its blank line). */
  end(): void {
    if (this.buffer.trim()) this.event(this.buffer)
    this.buffer = ''
  }

  private event(event: string): void {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n')
    if (!data) return
    if (data.trim() === '[DONE]') {
      this.done = true
      return
    }
    try {
      const parsed = chunkSchema.safeParse(JSON.parse(data))
      if (parsed.success) this.onChunk(parsed.data)
      else this.unreadable++
    } catch {
      this.unreadable++
    }
  }
}
