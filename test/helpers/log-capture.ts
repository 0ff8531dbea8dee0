import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger, type LoggerHandle } from '../../src/logger.js'

/** Every log line a test router wrote, also appended to test-output/logs for the suite-wide secret scan. */
export interface CapturedLogs {
  handle: LoggerHandle
  lines: string[]
  /** Parsed lines. */
  records(): Record<string, unknown>[]
  /** Resolves when a line matches. */
  waitFor(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
}

export const LOG_DIR = join(process.cwd(), 'test-output', 'logs')

export function captureLogs(opts: { level?: string; secrets?: string[] } = {}): CapturedLogs {
  mkdirSync(LOG_DIR, { recursive: true })
  const file = join(LOG_DIR, `worker-${process.pid}.jsonl`)
  const lines: string[] = []
  const waiters: {
    predicate: (r: Record<string, unknown>) => boolean
    resolve: (r: Record<string, unknown>) => void
  }[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line)
        appendLine(file, line)
        const record = JSON.parse(line) as Record<string, unknown>
        for (const w of waiters.splice(0)) w.predicate(record) ? w.resolve(record) : waiters.push(w)
      }
      done()
    },
  })
  const handle = createLogger({ level: opts.level ?? 'debug', secrets: opts.secrets, destination })
  return {
    handle,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    waitFor(predicate, timeoutMs = 10_000) {
      const found = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching log line')), timeoutMs)
        waiters.push({
          predicate,
          resolve: (r) => {
            clearTimeout(timer)
            resolve(r)
          },
        })
      })
    },
  }
}

/**
 * Appends for the suite-wide scan. Another vitest run in the same checkout empties LOG_DIR in its global setup;
 * a throw here would destroy the router's log stream mid-test, so the folder is recreated instead.
 */
function appendLine(file: string, line: string): void {
  try {
    appendFileSync(file, line + '\n')
  } catch {
    mkdirSync(LOG_DIR, { recursive: true })
    appendFileSync(file, line + '\n')
  }
}
