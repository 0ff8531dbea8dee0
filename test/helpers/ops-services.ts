/** Clock, digests and scripts for the ops tests (their services come from services.ts). */
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const T0 = Date.parse('2030-03-04T05:06:00.000Z')
export const MIN = 60_000
export const DAY = 86_400_000
export const DIGEST_A = `sha256:${'a'.repeat(64)}`
export const DIGEST_B = `sha256:${'b'.repeat(64)}`

/** A settable clock. */
export function fakeClock(start = T0) {
  let t = start
  return { now: () => t, set: (ms: number) => (t = ms), advance: (ms: number) => (t += ms) }
}

/** Writes an executable script into `dir` and returns its path. */
export function script(dir: string, name: string, body: string): string {
  const file = join(dir, name)
  writeFileSync(file, body)
  chmodSync(file, 0o755)
  return file
}
