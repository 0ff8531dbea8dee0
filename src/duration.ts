// Durations as operators type and read them: `90s`, `15m`, `2h 5m`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses an operator-typed duration such as `90s`, `15m`, `2h` or `1d`.
 * Returns undefined for anything else, so callers can answer with their own usage line.
 * @example parseDuration('15m') // 900000
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim())
  if (!m) return undefined
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined
}

/** Formats milliseconds the way an operator reads them: `14m 59s`, `2h 5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60
  const parts = d ? [`${d}d`, `${h}h`] : h ? [`${h}h`, `${m}m`] : m ? [`${m}m`, `${sec}s`] : [`${sec}s`]
  return parts.filter((p) => !/^0[dhms]$/.test(p) || parts.length === 1).join(' ')
}
