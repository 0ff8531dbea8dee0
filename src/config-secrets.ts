import { addKnownSecret } from './redact.js'

// Checks the text of every secret setting at load, whatever its source (variable, `*_FILE` or YAML), and
// makes each one known to the scrubber.

/** A secret setting: its environment variable and where it lands in the config. */
export interface SecretSetting {
  env: string
  path: readonly string[]
}

/** Control characters: C0 (line breaks, tab, NUL…), DEL, C1, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
/** ASCII whitespace at either end. */
const EDGE_WHITESPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g
const LINE_BREAK = /[\r\n\u2028\u2029]/
/** What an HTTP header value can carry as the operator wrote it: printable ASCII, space to tilde. */
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/

/**
 * The audit key is an HMAC key, never sent anywhere, so any text without control characters is a valid one;
 * refusing more would force a new key on a deployment that has one, and a new key cannot verify the old chain.
 */
const KEY_ONLY = 'auditKey'

/**
 * One problem per secret whose text cannot be right: a control character anywhere (a secret file of two
 * lines: the load trims only the ends), or, for a secret the router sends as a credential (a Bearer header,
 * the DingTalk app secret), any character outside printable ASCII. Such a secret would fail at the first call
 * with an error that quotes it. The problem names the setting and never the value.
 * @example secretTextProblems(raw, [{ env: 'MODEL_API_KEY', path: ['model', 'apiKey'] }]) // ['model.apiKey (MODEL_API_KEY): …']
 */
export function secretTextProblems(raw: Record<string, unknown>, settings: readonly SecretSetting[]): string[] {
  const problems: string[] = []
  for (const { env, path } of settings) {
    const key = path.join('.')
    const found = problemIn(valueAt(raw, path), key)
    if (!found) continue
    const allowed = key === KEY_ONLY ? 'text' : 'printable ASCII'
    problems.push(
      `${key} (${env}): the secret contains ${found} (value not shown); it must be one line of ${allowed}: check that ${env}, the file ${env}_FILE names, or the ROUTER_CONFIG file holds only the secret`,
    )
  }
  return problems
}

/** What is wrong with a secret's text, if anything. Whitespace at the ends is trimmed on load or dropped from a header. */
function problemIn(value: unknown, key: string): string | undefined {
  if (typeof value !== 'string') return undefined
  const inner = value.replace(EDGE_WHITESPACE, '')
  if (LINE_BREAK.test(inner)) return 'a line break'
  if (CONTROL.test(inner)) return 'a control character'
  if (key !== KEY_ONLY && !PRINTABLE_ASCII.test(inner)) return 'a character outside printable ASCII'
  return undefined
}

function valueAt(raw: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = raw
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/**
 * Adds every secret setting's value to the process's known secrets, the moment the config is read: so the
 * logger, error events and error messages of any process that loads it (the bot, routerctl) scrub it, even
 * when the rest of the config does not validate.
 * @example knowSecrets(raw, [{ env: 'MODEL_API_KEY', path: ['model', 'apiKey'] }])
 */
export function knowSecrets(raw: Record<string, unknown>, settings: readonly SecretSetting[]): void {
  for (const { path } of settings) {
    const value = valueAt(raw, path)
    if (typeof value === 'string') addKnownSecret(value)
  }
}
