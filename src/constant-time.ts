import { timingSafeEqual } from 'node:crypto'

// Comparing a secret or a keyed digest with what someone supplied, without a timing signal.

/**
 * True when `a` and `b` are the same string, compared in time that depends only on their lengths: for
 * HMAC signatures, tokens and keyed hashes, where `===` stops at the first differing character and so tells
 * a caller who can time it how much of a forgery was right. The lengths themselves are not secret (a digest's
 * length is public).
 * @example if (!sameSecret(expectedSig, params.sig)) return refuse()
 */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}
