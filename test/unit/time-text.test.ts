import { describe, expect, it } from 'vitest'
import { ago, isoSeconds } from '../../src/time-text.js'

describe('isoSeconds', () => {
  it('writes UTC to the second, dropping the milliseconds', () => {
    expect(isoSeconds(0)).toBe('1970-01-01T00:00:00Z')
    expect(isoSeconds(Date.parse('2026-12-01T13:34:31.119Z'))).toBe('2026-12-01T13:34:31Z')
  })
})

describe('ago', () => {
  it('says just now under a second, and for a clock a little ahead', () => {
    expect(ago(0)).toBe('just now')
    expect(ago(999)).toBe('just now')
    expect(ago(-5000)).toBe('just now')
  })

  it('writes the duration as formatDuration does, then ago', () => {
    expect(ago(1000)).toBe('1s ago')
    expect(ago(2 * 3_600_000 + 5 * 60_000)).toBe('2h 5m ago')
    expect(ago(40 * 86_400_000)).toBe('40d ago')
  })

  it('takes the words a locale passes in', () => {
    const words = { justNow: 'now', ago: (d: string) => `-${d}` }
    expect(ago(10, words)).toBe('now')
    expect(ago(90_000, words)).toBe('-1m 30s')
  })
})
