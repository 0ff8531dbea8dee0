// How times read in what the router writes: one helper for each form, so every reply says it alike.

/**
 * ISO 8601 to the second, in UTC: what an operator compares with other clocks and logs.
 * @example isoSeconds(0) // '1970-01-01T00:00:00Z'
 */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
