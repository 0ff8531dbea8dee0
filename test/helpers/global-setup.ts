import { rmSync } from 'node:fs'
import { LOG_DIR } from './log-capture.js'

/**
 * Starts every run with an empty log folder, so the secret scan reads only this run's lines, and returns
 * the teardown that scans them: any test secret or unredacted `session=` value in any log line fails the run.
 */
export default function setup(): () => Promise<void> {
  rmSync(LOG_DIR, { recursive: true, force: true })
  return async function teardown() {
    // Imported here, not at the top: the router helpers pull in the whole app, needed only at the end.
    const [{ TEST_SECRETS }, { describeFindings, scanLogs }] = await Promise.all([
      import('./router.js'),
      import('./log-scan.js'),
    ])
    const { findings } = scanLogs(
      LOG_DIR,
      Object.fromEntries(Object.entries(TEST_SECRETS).map(([k, v]) => [`TEST_SECRETS.${k}`, v])),
    )
    if (findings.length === 0) return
    // vitest 4 only prints a throwing teardown ("error during close") and still exits 0; the exit code is
    // what fails `npx vitest run` (checked by planting a secret in a scratch copy). The throw shows why.
    process.exitCode = 1
    throw new Error(describeFindings(findings))
  }
}
