// Redaction: the one scrubber of known secrets and credential URL parameters, used by logs, error events and
// the audit trail, and the deep redaction of secret-named keys.

/** Keys whose values are secrets wherever they appear in command args, config diffs or audit entries. */
const SECRET_KEY =
  /secret|token(?!s)|password|passwd|api[-_]?key|auth(?!ors?\b)|credential|private|session|ticket|key$/i

/** URL parameters that are credentials: the sessionWebhook `session`, the stream `ticket`, token params. */
const CREDENTIAL_PARAM = /([?&](?:session|ticket|access_token|accessToken|appsecret)=)[^&"\s\\]+/gi

/** What a scrubbed secret is replaced with, everywhere. */
const REDACTED = '[redacted]'

/** Values shorter than this would scrub ordinary words; real secrets are longer. */
const MIN_SECRET_LENGTH = 6

/**
 * Every secret this process knows, in each form it takes in text: as is, and JSON-escaped (how a log line
 * writes a newline, `"` or `\`), and for a secret of several lines each line too. Longest first, so a
 * secret that contains another is replaced whole. Worked out once, when a secret is added, never per text.
 */
let secretForms: string[] = []

/**
 * Adds a value that must never appear in a log line, an error event or an audit entry from now on:
 * configured secrets at start, tokens learned at run time. The list is the process's, shared by every sink.
 * @example addKnownSecret(config.model.apiKey)
 */
export function addKnownSecret(value: string | undefined): void {
  // Trimmed: a header value or a message quotes the secret without the whitespace a file or YAML left at its ends.
  const secret = value?.trim()
  if (!secret || secret.length < MIN_SECRET_LENGTH) return
  // Error text is often cut at line breaks and re-joined (a stack's lines joined with " | "), so a secret of
  // several lines is also known by each line.
  const lines = secret
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= MIN_SECRET_LENGTH)
  const forms = [secret, ...(lines.length > 1 ? lines : [])].flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
  const added = [...new Set(forms)].filter((form) => !secretForms.includes(form))
  if (added.length === 0) return
  secretForms = [...secretForms, ...added].sort((a, b) => b.length - a.length)
}

/**
 * Text with every known secret (raw or JSON-escaped) and every credential URL parameter replaced by
 * `[redacted]`. The one scrubber: the logger runs it on each finished line, the error events and the audit
 * trail on what they store. Costs one substring search per known form, proportional to the text.
 * @example scrubSecrets('Bearer sk-live-123 failed') // 'Bearer [redacted] failed' once sk-live-123 is known
 */
export function scrubSecrets(text: string): string {
  let out = redactUrl(text)
  for (const form of secretForms) if (out.includes(form)) out = out.split(form).join(REDACTED)
  return out
}

/**
 * Removes credential parameters from a URL so it can be logged or shown.
 * @example redactUrl('https://x/?session=abc&keep=1') // 'https://x/?session=[redacted]&keep=1'
 */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAM, `$1${REDACTED}`)
}

/**
 * A deep copy with secret-looking keys replaced and every string scrubbed (known secrets, credential URL
 * parameters).
 * @example redactValue({ apiKey: 'sk-1', url: 'https://x/?session=abc' }) // { apiKey: '[redacted]', url: 'https://x/?session=[redacted]' }
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]'
  if (typeof value === 'string') return scrubSecrets(value)
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redactValue(v, depth + 1)
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
