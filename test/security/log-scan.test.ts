import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LOG_DIR } from '../helpers/log-capture.js'
import { describeFindings, scanLogs } from '../helpers/log-scan.js'
import { TEST_SECRETS } from '../helpers/router.js'

// The suite-wide scan runs as the vitest global teardown (test/helpers/global-setup.ts) over every log line
// of the whole run and fails the run on a leak. This test runs the same scan over what exists when it runs,
// so the check is visible in the report, and proves the scanner finds what it must.

const SECRETS = Object.fromEntries(Object.entries(TEST_SECRETS).map(([k, v]) => [`TEST_SECRETS.${k}`, v]))

describe('security: no secret in any log line of the suite', () => {
  it('the log lines written so far hold no test secret and no unredacted session value', () => {
    const result = scanLogs(LOG_DIR, SECRETS)
    expect(result.findings, describeFindings(result.findings)).toEqual([])
    console.log(
      `secret scan so far: ${result.lines} log lines in ${result.files} files, no leak (the global teardown scans them all again at the end)`,
    )
  })

  it('the scanner names each planted leak by secret and file:line, and passes redacted lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-scan-'))
    try {
      writeFileSync(
        join(dir, 'a.jsonl'),
        [
          JSON.stringify({ msg: 'fine', webhook: 'http://h/robot/sendBySession?session=[redacted]' }),
          JSON.stringify({ msg: `oops ${TEST_SECRETS.clientSecret}` }),
          JSON.stringify({ msg: 'leak', url: 'https://oapi.dingtalk.com/robot/sendBySession?session=76da36b48f59e8' }),
          JSON.stringify({ msg: 'encoded', url: 'https%3A%2F%2Fx%3Fsession%3D76da36b48f59e8' }),
          JSON.stringify({ key: TEST_SECRETS.auditKey }),
          '',
        ].join('\n'),
      )
      writeFileSync(join(dir, 'b.jsonl'), `${JSON.stringify({ msg: `id ${TEST_SECRETS.clientId}` })}\n`)
      const { findings, files, lines } = scanLogs(dir, SECRETS)
      expect({ files, lines }).toEqual({ files: 2, lines: 6 })
      expect(findings.map((f) => [f.file.split('/').pop(), f.line, f.what.replace(/ ".*/, '')])).toEqual([
        ['a.jsonl', 2, 'test secret TEST_SECRETS.clientSecret'],
        ['a.jsonl', 3, 'unredacted session value'],
        ['a.jsonl', 4, 'unredacted session value'],
        ['a.jsonl', 5, 'test secret TEST_SECRETS.auditKey'],
        ['b.jsonl', 1, 'test secret TEST_SECRETS.clientId'],
      ])
      expect(describeFindings(findings)).toMatch(/test secret TEST_SECRETS\.clientSecret at .*a\.jsonl:2/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
