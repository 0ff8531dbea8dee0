import { rmSync } from 'node:fs'
import { LOG_DIR } from './log-capture.js'

/** Starts every run with an empty log folder, so the secret scan reads only this run's lines. */
export default function setup(): void {
  rmSync(LOG_DIR, { recursive: true, force: true })
}
