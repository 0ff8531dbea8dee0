// Reading JSON from the outside (DingTalk callbacks, webhook answers, simulator requests) without throwing.

/**
 * Parses JSON without throwing: `undefined` when the text is not JSON (valid JSON never gives `undefined`).
 * @example const parsed = schema.safeParse(parseJson(body))
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
