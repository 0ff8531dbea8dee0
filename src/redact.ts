import { redactUrl } from './logger.js'

/** Keys whose values are secrets wherever they appear in command args, config diffs or audit entries. */
const SECRET_KEY =
  /secret|token(?!s)|password|passwd|api[-_]?key|auth(?!ors?\b)|credential|private|session|ticket|key$/i

/**
 * A deep copy with secret-looking keys replaced and credential URL parameters removed.
 * @example redactValue({ apiKey: 'sk-1', url: 'https://x/?session=abc' }) // { apiKey: '[redacted]', url: 'https://x/?session=[redacted]' }
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]'
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactValue(v, depth + 1)
    return out
  }
  return value
}

/** True when a setting's name marks it as secret: its value is never shown, only that it changed. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    )
  }
  return value
}
