/** Small statistics helpers for the benchmark; plain functions so the numbers are easy to audit. */

/**
 * The p-th percentile (0–100) by nearest rank on a sorted copy; NaN for no samples.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** The median; for an even count, the mean of the two middle values. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Least-squares slope of y over x; NaN with fewer than two distinct x values.
 * @example slope([0, 1, 2], [10, 12, 14]) // 2
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return Number.NaN
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    sx += xs[i]!
    sy += ys[i]!
  }
  const mx = sx / n
  const my = sy / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my)
    den += (xs[i]! - mx) ** 2
  }
  return den === 0 ? Number.NaN : num / den
}

/** Latency summary in milliseconds, rounded for the table and JSON. */
export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Summarise latency samples given in milliseconds. */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  const round = (v: number) => Math.round(v * 1000) / 1000
  return {
    count: samplesMs.length,
    p50: round(percentile(samplesMs, 50)),
    p90: round(percentile(samplesMs, 90)),
    p99: round(percentile(samplesMs, 99)),
    max: round(samplesMs.length ? samplesMs.reduce((m, v) => Math.max(v, m), -Infinity) : Number.NaN),
  }
}
