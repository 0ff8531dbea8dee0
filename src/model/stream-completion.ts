// Reads a streamed Chat Completions answer piece by piece into the one answer a plain call returns.

interface ToolPart {
  id: string
  name: string
  arguments: string
}

/**
 * Reads a streamed Chat Completions answer (`stream: true`: Server-Sent Events of `chat.completion.chunk`)
 * piece by piece, reporting the text so far as it grows, and rebuilds the one answer a non-streamed call
 * returns (its `finish_reason` included), so the caller checks both the same way. A server that ignores
 * `stream` and answers plain JSON is read as such. It also tells how the stream ended: a body that simply
 * stops (a proxy gave up, the connection closed) looks like any other, so only `data: [DONE]` and a final
 * `finish_reason` say that the answer is all there.
 * @example const s = new StreamedCompletion((t) => card.push(t)); s.push(piece); const raw = s.result(wholeText); if (s.cutShort) fail()
 */
export class StreamedCompletion {
  private pending = ''
  private content = ''
  private events = 0
  private readonly tools: ToolPart[] = []
  private usage: unknown
  private dataLines = 0
  private finish: string | undefined
  private done = false

  constructor(private readonly onText: (textSoFar: string) => void) {}

  /** Feeds the next piece of the body as it arrived (it may end mid-line). */
  push(piece: string): void {
    const lines = (this.pending + piece).split(/\r?\n/)
    this.pending = lines.pop() ?? ''
    for (const line of lines) if (line.startsWith('data:')) this.event(line.slice(5).trim())
  }

  /** True once the body was a stream that sent `data: [DONE]`. Read after `result`. */
  get sawDone(): boolean {
    return this.done
  }

  /**
   * True when the body was a stream that ended with neither `data: [DONE]` nor a `finish_reason`: it was cut
   * off on the way, and what arrived is part of an answer only. Read after `result`.
   */
  get cutShort(): boolean {
    return this.dataLines > 0 && !this.done && this.finish === undefined
  }

  /** The answer in the non-streamed shape (`choices[0]`, `usage`), for the usual validation. */
  result(wholeText: string): unknown {
    if (this.pending.startsWith('data:')) this.event(this.pending.slice(5).trim())
    this.pending = ''
    if (this.events === 0) {
      try {
        return JSON.parse(wholeText) as unknown
      } catch {
        return undefined
      }
    }
    const toolCalls = this.tools.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }))
    return {
      choices: [
        {
          message: { content: this.content || null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
          ...(this.finish === undefined ? {} : { finish_reason: this.finish }),
        },
      ],
      ...(this.usage ? { usage: this.usage } : {}),
    }
  }

  private event(data: string): void {
    this.dataLines++
    if (data === '[DONE]') {
      this.done = true
      return
    }
    let chunk: Chunk
    try {
      chunk = JSON.parse(data) as Chunk
    } catch {
      return
    }
    this.events++
    if (chunk.usage) this.usage = chunk.usage
    // Chunks before the last say `finish_reason: null`; the last one with a choice says why the model stopped.
    const finish = chunk.choices?.[0]?.finish_reason
    if (typeof finish === 'string' && finish) this.finish = finish
    const delta = chunk.choices?.[0]?.delta
    if (!delta) return
    if (typeof delta.content === 'string' && delta.content) {
      this.content += delta.content
      this.onText(this.content)
    }
    for (const call of delta.tool_calls ?? []) {
      const index = typeof call.index === 'number' && call.index >= 0 && call.index < 32 ? call.index : 0
      const part = (this.tools[index] ??= { id: '', name: '', arguments: '' })
      if (call.id) part.id = call.id
      if (call.function?.name) part.name += call.function.name
      if (call.function?.arguments) part.arguments += call.function.arguments
    }
  }
}

interface Chunk {
  choices?: {
    finish_reason?: unknown
    delta?: {
      content?: unknown
      tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[]
    }
  }[]
  usage?: unknown
}
