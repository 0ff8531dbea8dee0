import { describe, expect, it } from 'vitest'
import { isoSeconds } from '../../src/time-text.js'

describe('isoSeconds', () => {
  it('writes UTC to the second, dropping the milliseconds', () => {
    expect(isoSeconds(0)).toBe('1970-01-01T00:00:00Z')
    expect(isoSeconds(Date.parse('2026-12-01T13:34:31.119Z'))).toBe('2026-12-01T13:34:31Z')
  })
})
