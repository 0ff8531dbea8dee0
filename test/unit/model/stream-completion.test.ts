import { describe, expect, it } from 'vitest'
import { completionSchema } from '../../../src/model/chat.js'
import { StreamedCompletion } from '../../../src/model/stream-completion.js'

const sse = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n'
const delta = (d: unknown) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: d }] })

/** Feeds `text` in pieces of `size` characters, as a socket might cut it. */
function feed(text: string, size: number): { seen: string[]; raw: unknown } {
  const seen: string[] = []
  const s = new StreamedCompletion((t) => seen.push(t))
  for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size))
  return { seen, raw: s.result(text) }
}

describe('StreamedCompletion', () => {
  it('reports the growing text and rebuilds the answer, whatever the pieces cut', () => {
    const body = sse(delta({ content: '检查' }), delta({ content: ' checkout' }), {
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: 4 },
    })
    for (const size of [1, 7, body.length]) {
      const { seen, raw } = feed(body, size)
      expect(seen).toEqual(['检查', '检查 checkout'])
      expect(completionSchema.parse(raw)).toEqual({
        choices: [{ message: { content: '检查 checkout' } }],
        usage: { prompt_tokens: 9, completion_tokens: 4 },
      })
    }
  })

  it('assembles tool calls sent in parts by index', () => {
    const body = sse(
      delta({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'diagnostics_', arguments: '{"ro' } }] }),
      delta({ tool_calls: [{ index: 0, function: { name: 'summary', arguments: 'ute":"ask"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_2', function: { name: 'service_status', arguments: '{}' } }] }),
    )
    const { seen, raw } = feed(body, 5)
    expect(seen).toEqual([])
    expect(completionSchema.parse(raw).choices[0]!.message).toEqual({
      content: null,
      tool_calls: [
        { id: 'call_1', function: { name: 'diagnostics_summary', arguments: '{"route":"ask"}' } },
        { id: 'call_2', function: { name: 'service_status', arguments: '{}' } },
      ],
    })
  })

  it('reads a plain JSON answer from a server that ignores stream, and rejects garbage', () => {
    const plain = JSON.stringify({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] })
    expect(completionSchema.parse(feed(plain, 4).raw).choices[0]).toEqual({
      message: { content: 'ok' },
      finish_reason: 'stop',
    })
    expect(completionSchema.safeParse(feed('<html>bad gateway</html>', 4).raw).success).toBe(false)
  })

  it('says a stream was cut short when it stops with neither data: [DONE] nor a finish_reason', () => {
    // A proxy that gives up mid-answer: the last line is half a chunk, and the body simply ends.
    const cut = `data: ${JSON.stringify(delta({ content: 'Restart the pay' }))}\n\ndata: {"choices":[{"delta":{"content":"ments se`
    for (const size of [3, cut.length]) {
      const s = new StreamedCompletion(() => undefined)
      for (let i = 0; i < cut.length; i += size) s.push(cut.slice(i, i + size))
      s.result(cut)
      expect({ size, cutShort: s.cutShort, sawDone: s.sawDone }).toEqual({ size, cutShort: true, sawDone: false })
    }
  })

  it('passes on the final finish_reason, and takes it or data: [DONE] as the end of the stream', () => {
    const chunks = [
      { choices: [{ index: 0, delta: { content: 'Restart the pay' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
    ]
    const ended = (body: string) => {
      const s = new StreamedCompletion(() => undefined)
      s.push(body)
      const choice = completionSchema.parse(s.result(body)).choices[0]
      return { finish: choice?.finish_reason, cutShort: s.cutShort, sawDone: s.sawDone }
    }
    // The whole stream: the reason the model stopped reaches the caller with the text.
    expect(ended(sse(...chunks))).toEqual({ finish: 'length', cutShort: false, sawDone: true })
    // The finish_reason arrived, [DONE] did not: the answer is all there.
    const noDone = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')
    expect(ended(noDone)).toEqual({ finish: 'length', cutShort: false, sawDone: false })
    // [DONE] without a finish_reason: ended, reason unknown.
    expect(ended(sse(chunks[0]))).toEqual({ finish: undefined, cutShort: false, sawDone: true })
    // A plain JSON answer arrives whole; it is never a cut stream.
    const plain = JSON.stringify({ choices: [{ message: { content: 'ok' } }] })
    expect(ended(plain)).toEqual({ finish: undefined, cutShort: false, sawDone: false })
  })
})
