/**
 * The suite-wide secret scan (not a test file itself): every log line a test router wrote during the run,
 * in-process (test/helpers/log-capture.ts) or spawned (test/helpers/router-process.ts), is in LOG_DIR as JSON
 * lines. None may contain a test secret or an unredacted `session=` value. Used by the vitest global
 * teardown (test/helpers/global-setup.ts), which fails the run, and by log-scan.test.ts, which shows the
 * check in the report.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface LeakFinding {
  file: string
  line: number
  what: string
}

export interface ScanResult {
  files: number
  lines: number
  findings: LeakFinding[]
}

/** A session parameter that is not the redaction marker, also URL-encoded (`session%3D…`). */
const SESSION_VALUE = /(?:[?&]|%3F|%26)session(?:=|%3D)(?!\[redacted\]|%5Bredacted%5D)[^&"\s\\]+/i

/**
 * Reads every file in `dir` (missing folder: nothing to scan) and reports each line holding one of `secrets`
 * (named by `label`) or an unredacted session value.
 * @example const { findings } = scanLogs(LOG_DIR, { clientSecret: '…' })
 */
export function scanLogs(dir: string, secrets: Record<string, string>): ScanResult {
  const result: ScanResult = { files: 0, lines: 0, findings: [] }
  if (!existsSync(dir)) return result
  const needles = Object.entries(secrets).filter(([, value]) => value.length > 0)
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue // removed meanwhile by another run's setup, or a folder
    }
    result.files++
    const lines = text.split('\n')
    lines.forEach((line, i) => {
      if (line === '') return
      result.lines++
      const where = { file: relative(process.cwd(), file) || file, line: i + 1 }
      for (const [label, value] of needles)
        if (line.includes(value)) result.findings.push({ ...where, what: `test secret ${label}` })
      const session = SESSION_VALUE.exec(line)
      if (session) result.findings.push({ ...where, what: `unredacted session value "${session[0].slice(0, 24)}…"` })
    })
  }
  return result
}

/** One message naming every finding as secret-name at file:line (at most 50 listed). */
export function describeFindings(findings: LeakFinding[]): string {
  const listed = findings.slice(0, 50).map((f) => `  - ${f.what} at ${f.file}:${f.line}`)
  const more = findings.length > 50 ? [`  … and ${findings.length - 50} more`] : []
  return [`secret scan: ${findings.length} log line(s) leak a secret:`, ...listed, ...more].join('\n')
}
