import fc from 'fast-check'
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite'
import { describe, expect, it } from 'vitest'
import { RankTable } from '../../../src/budget/rank-table.js'

// The compact table must answer exactly what js-tiktoken's own Map answers, for every key its encoder
// can ask: tokens, byte sequences that are no token, and sequences longer than any token.

const key = (bytes: Iterable<number>) => [...bytes].join(',')
const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64')

describe('RankTable', () => {
  it('gives every cl100k token the rank js-tiktoken gives it', async () => {
    const ranks = (await import('js-tiktoken/ranks/cl100k_base')).default as TiktokenBPE
    const reference = (new Tiktoken(ranks) as unknown as { rankMap: Map<string, number> }).rankMap
    const table = new RankTable(reference.size, ranks.bpe_ranks.length)
    for (const [k, rank] of reference) table.add(Buffer.from(k.split(',').map(Number)).toString('base64'), rank)
    expect(table.size).toBe(reference.size)
    let mismatches = 0
    for (const [k, rank] of reference) if (table.get(k) !== rank) mismatches++
    expect(mismatches).toBe(0)
  })

  it('answers like a Map for any set of byte sequences and any lookup', () => {
    const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(fc.uniqueArray(bytes, { selector: key, maxLength: 200 }), fc.array(bytes), (tokens, probes) => {
        const map = new Map(tokens.map((t, rank) => [key(t), rank * 3]))
        const table = new RankTable(tokens.length, tokens.length * 12)
        for (const [rank, t] of tokens.entries()) table.add(base64(t), rank * 3)
        for (const probe of [...tokens, ...probes]) expect(table.get(key(probe))).toBe(map.get(key(probe)))
      }),
    )
  })

  it('finds nothing longer than its longest token, nor the empty key', () => {
    const table = new RankTable(2, 16)
    table.add(base64([104, 101]), 7)
    table.add(base64([1, 2, 3]), 8)
    expect(table.get('104,101')).toBe(7)
    expect(table.get('1,2,3')).toBe(8)
    expect(table.get('1,2,3,4')).toBeUndefined()
    expect(table.get('104')).toBeUndefined()
    expect(table.get('')).toBeUndefined()
  })

  it('refuses a token past the room it was sized for instead of storing it cut short', () => {
    const table = new RankTable(1, 4)
    expect(() => table.add(base64([1, 2, 3, 4, 5, 6]), 0)).toThrow(/bytes are full/)
    table.add(base64([1, 2, 3]), 0)
    expect(() => table.add(base64([4]), 1)).toThrow(/table is full/)
  })
})
