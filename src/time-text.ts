import { formatDuration } from './duration.js'
// How times read in what the router writes: one helper for each form, so every reply says it alike.

/**
 * ISO 8601 to the second, in UTC: what an operator compares with other clocks and logs.
 * @example isoSeconds(0) // '1970-01-01T00:00:00Z'
 */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The words around a duration in {@link ago}: English, unless a locale's texts are passed in. */
interface AgoWords {
  justNow: string
  ago: (duration: string) => string
}

const ENGLISH_AGO: AgoWords = { justNow: 'just now', ago: (duration) => `${duration} ago` }

/**
 * How long ago something happened: `just now` under a second (a clock a little ahead reads so too), else
 * the duration as {@link formatDuration} writes it.
 * @example ago(now - deploy.deployedAt) // '2h 5m ago'
 */
export function ago(elapsedMs: number, words: AgoWords = ENGLISH_AGO): string {
  return elapsedMs < 1000 ? words.justNow : words.ago(formatDuration(elapsedMs))
}
