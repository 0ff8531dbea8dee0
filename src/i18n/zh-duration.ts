// Durations as a Chinese reader writes them: `14分59秒`, `2小时5分`, the counterpart of formatDuration.

/**
 * Milliseconds in Chinese, to the same two units formatDuration shows.
 * @example zhDuration(899_000) // '14分59秒'
 */
export function zhDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}毫秒`
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60
  const parts: [number, string][] = d
    ? [
        [d, '天'],
        [h, '小时'],
      ]
    : h
      ? [
          [h, '小时'],
          [m, '分'],
        ]
      : m
        ? [
            [m, '分'],
            [sec, '秒'],
          ]
        : [[sec, '秒']]
  const shown = parts.filter(([n], i) => n > 0 || i === 0)
  return shown.map(([n, unit]) => `${n}${unit}`).join('')
}
