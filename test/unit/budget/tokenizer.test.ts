import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite'
import { describe, expect, it } from 'vitest'
import { countTokens } from '../../../src/budget/tokenizer.js'

// The router fills js-tiktoken's encode table itself (no decode table) and in slices, so the first load
// does not stall the event loop. The counts must be exactly the library's own.

const SAMPLES = [
  'checkout is slow since 10:40',
  '结账从10:40开始变慢了，请帮忙看看订单服务',
  'function f(x) { return x * 2 }\n'.repeat(20),
  '<|endoftext|> hello 🎉🎉 naïve café',
  'https://grafana.internal/d/abc?from=now-1h&to=now&var-host=web-01',
  '   leading spaces, tabs\tand\r\nnewlines\n\n',
]

describe('countTokens', () => {
  it('gives way to the event loop while it builds the table on first use', async () => {
    // The rank module loaded first, so the turns counted below are the table's filling, not the import's.
    await import('js-tiktoken/ranks/cl100k_base')
    let turns = 0
    let loaded = false
    const tick = () => {
      turns++
      if (!loaded) setImmediate(tick)
    }
    setImmediate(tick)
    await countTokens('warm up')
    loaded = true
    // The table has about 100,000 entries, filled 2,000 per turn; filled in one go it would be a turn or two.
    expect(turns).toBeGreaterThan(25)
  })

  it('counts exactly what js-tiktoken counts with its own full table', async () => {
    const ranks = (await import('js-tiktoken/ranks/cl100k_base')).default as TiktokenBPE
    const reference = new Tiktoken(ranks)
    for (const text of SAMPLES) expect(await countTokens(text)).toBe(reference.encode(text, [], []).length)
  })
})
