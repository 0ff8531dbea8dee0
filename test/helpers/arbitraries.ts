/**
 * fast-check generators and settings shared by the fuzz suites (not a test file itself).
 * A failure message from fc.assert names its seed and path; run again with FC_SEED=<seed> to replay it.
 */
import fc from 'fast-check'

/**
 * Settings for fc.assert: bounded runs, the seed from FC_SEED when given (to replay a failure), and the
 * seed printed with every counterexample.
 * @example fc.assert(property, fuzzParams(300))
 */
export function fuzzParams<T>(numRuns: number, opts: { shrink?: boolean } = {}): fc.Parameters<T> {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined
  return {
    numRuns,
    ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}),
    ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
    // End-to-end properties stop at the first failure: shrinking would replay hundreds of round trips.
    endOnFailure: opts.shrink === false,
    reporter(details) {
      if (!details.failed) return
      // fast-check's own message carries the seed too; this line makes it impossible to miss in a long log.
      console.error(`fuzz failure: replay with FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''}`)
      const cause = details.errorInstance
      const why = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)
      throw new Error(`${fc.defaultReportMessage(details)}\nGot: ${why}`, { cause })
    },
  }
}

/** Any code point, lone surrogates included (fast-check's unicode units are slow to build). */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp))

/** Strings mixing any code points with the characters parsers care about. */
export const hostileString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: codePoint, maxLength }),
    fc.string({ maxLength }),
    fc
      .array(
        fc.constantFrom(
          '/',
          '"',
          '“',
          '”',
          '=',
          ' ',
          '\n',
          '\t',
          '\r',
          '\u0000',
          '\u001b',
          '\u200b',
          '\u00a0',
          '\ufeff',
          '\\',
          '{',
          '}',
          '[',
          ']',
          ':',
          ',',
          '$(',
          '`',
          ';',
          '|',
          '&',
          '..',
          '%00',
          '__proto__',
          'constructor',
          'prototype',
          'ping',
          'x=y',
        ),
        { maxLength: Math.max(1, Math.floor(maxLength / 2)) },
      )
      .map((a) => a.join('')),
  )

/** Keys an attacker would try: prototype pollution and the names the router reads. */
export const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'msgId',
    'senderStaffId',
    'isAdmin',
    'sessionWebhook',
    'text',
    'content',
    'msgtype',
    'conversationId',
    'headers',
    'messageId',
    'topic',
    'type',
    'data',
    'operator',
    'staffId',
    '',
  ),
  fc.string({ maxLength: 12 }),
)

/** JSON-ish values with hostile keys, bounded depth. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53, ''),
    fc.double(),
    hostileString(40),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
  ),
})).value

/** A JSON text nested `depth` levels deep, as arrays or objects (built as text: JSON.stringify would overflow). */
export function deepJson(depth: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array'
    ? '['.repeat(depth) + leaf + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth)
}

/** Deeply nested JSON text: arrays or objects, up to `max` levels. */
export const deepJsonText = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: 1, max }), fc.constantFrom('array' as const, 'object' as const))
    .map(([d, k]) => deepJson(d, k))

/** JSON.stringify that survives anything (BigInt, cycles cannot occur here); undefined becomes null. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}
