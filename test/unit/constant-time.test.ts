import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sameSecret } from '../../src/constant-time.js'

describe('sameSecret', () => {
  it('agrees with === on any two strings, including unequal lengths and non-ASCII', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => sameSecret(a, b) === (a === b)))
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (a) => sameSecret(a, a)))
  })

  it('tells apart digests that differ only in their last character or in case', () => {
    const digest = 'ab'.repeat(32)
    expect(sameSecret(digest, digest)).toBe(true)
    expect(sameSecret(digest, `${digest.slice(0, -1)}c`)).toBe(false)
    expect(sameSecret(digest, digest.toUpperCase())).toBe(false)
    expect(sameSecret(digest, `${digest}zz`)).toBe(false)
    expect(sameSecret('', '')).toBe(true)
  })
})
