import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temporary folder for one test's database and files. */
export function tempDir(prefix = 'router-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Removes a temporary folder; missing is fine. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
