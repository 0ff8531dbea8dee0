import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../src/duration.js'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 15m ', 900_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '15', 'm', '1.5h', '-1m', '0s', '15 m', '15M', '1w', '1h30m', '1000000000s', '999999999d', 'NaNs'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined()
    },
  )
})

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [59_000, '59s'],
    [899_000, '14m 59s'],
    [900_000, '15m'],
    [7_500_000, '2h 5m'],
    [86_400_000, '1d'],
    [90_000_000, '1d 1h'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('never shows a negative duration', () => {
    expect(formatDuration(-5)).toBe('0ms')
  })
})
