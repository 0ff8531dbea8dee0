import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { errorSummary } from '../../../src/admin/error-summary.js'
import { createLogger } from '../../../src/logger.js'
import { openStores } from '../../../src/store/open.js'
import { TEST_SECRETS } from '../../helpers/router.js'
import { tempDir } from '../../helpers/temp-dir.js'

// Error events and audit entries store text scrubbed of the secrets the logger knows.

const NOW = Date.parse('2030-03-04T05:06:00.000Z')
// A key read from a two-line file: what new Headers() quotes in full when it refuses the Bearer header.
const MODEL_KEY = 'sk-live-first\nsk-live-second'

let opened: ReturnType<typeof openStores> | undefined
afterEach(() => {
  opened?.db.close()
  opened = undefined
})

function storesWithKnownKey() {
  const discard = new Writable({ write: (_chunk, _enc, done) => done() })
  // As app.ts does: the model key becomes a known secret through the logger handle.
  createLogger({ level: 'warn', destination: discard }).addSecret(MODEL_KEY)
  opened = openStores({ db: join(tempDir(), 'router.db'), auditKey: TEST_SECRETS.auditKey })
  return opened
}

function headersError(): Error {
  try {
    new Headers({ authorization: `Bearer ${MODEL_KEY}` })
  } catch (err) {
    return err as Error
  }
  throw new Error('expected Headers to refuse the value')
}

describe('stored error text is scrubbed of known secrets', () => {
  it('an error event: the stored row and what /diag shows say [redacted]', () => {
    const { db, stores } = storesWithKnownKey()
    const err = headersError()
    expect(err.message).toContain(MODEL_KEY)
    // As run-skill.ts samples an error: the top of the stack, its lines joined, which splits the key in two.
    const sample = (err.stack ?? '')
      .split('\n')
      .slice(0, 4)
      .map((l) => l.trim())
      .join(' | ')
    stores.events.record({ route: 'ask', code: 'failed', message: err.message, sample }, NOW)

    const row = db.prepare("SELECT message, sample FROM error_events WHERE route = 'ask'").get() as {
      message: string
      sample: string
    }
    expect(row.message).toBe('Headers.append: "Bearer [redacted]" is an invalid header value.')
    expect(row.sample).toMatch(/^TypeError: Headers\.append: "Bearer \[redacted\] \| \[redacted\]" is an invalid/)
    const shown = errorSummary(stores.events, { route: 'ask', maxBytes: 2048, now: NOW, sample: true })
    expect(shown).toContain('failed ×1')
    // /diag drops Markdown brackets from stored text, so the marker reads "redacted" there.
    expect(shown).toContain(': Headers.append: "Bearer redacted" is an invalid header value.')
    expect(shown).toContain('Newest sample (redacted): TypeError: Headers.append: "Bearer redacted / redacted"')
    for (const text of [row.message, row.sample, shown])
      for (const part of ['sk-live-first', 'sk-live-second']) expect(text).not.toContain(part)
  })

  it('an audit entry: args and detail say [redacted], and the chain still verifies', () => {
    const { stores } = storesWithKnownKey()
    const entry = stores.audit.append({
      actor: 'op1',
      channel: 'dingtalk',
      action: 'runbook-probe',
      args: { note: `probe with ${MODEL_KEY}` },
      outcome: 'failed',
      detail: headersError().message,
    })
    expect(entry.detail).toBe('Headers.append: "Bearer [redacted]" is an invalid header value.')
    expect(entry.args).toEqual({ note: 'probe with [redacted]' })
    expect(JSON.stringify(stores.audit.get(entry.seq))).not.toContain('sk-live')
    expect(stores.audit.verify()).toMatchObject({ ok: true })
  })
})
