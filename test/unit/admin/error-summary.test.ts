import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { errorSummary } from '../../../src/admin/error-summary.js'
import { diagnosticsService } from '../../../src/budget/diagnostics.js'
import { openStores } from '../../../src/store/open.js'
import { TEST_SECRETS } from '../../helpers/router.js'
import { tempDir } from '../../helpers/temp-dir.js'

const HOUR = 3_600_000
const NOW = Date.parse('2030-03-04T05:06:00.000Z')
let opened: ReturnType<typeof openStores> | undefined
afterEach(() => {
  opened?.db.close()
  opened = undefined
})

function events() {
  opened = openStores({ db: join(tempDir(), 'router.db'), auditKey: TEST_SECRETS.auditKey })
  const store = opened.stores.events
  store.record(
    { route: 'ask', code: 'over-budget', message: 'prompt 9,120 tokens over 4,000', sample: 'LOG-LINE a' },
    NOW - 5 * 60_000,
  )
  store.record({ route: 'ask', code: 'over-budget', message: 'prompt 9,120 tokens over 4,000' }, NOW - 60_000)
  store.record(
    { route: 'service-status', code: 'egress-timeout', message: 'status API: no answer in 3 s' },
    NOW - 2 * HOUR,
  )
  store.record({ route: 'ask', code: 'model-5xx', message: 'the model answered 502' }, NOW - 30 * HOUR)
  return store
}

describe('one summary of error events, for /diag and for skills', () => {
  it("is what /diag shows: a route's events with its sample, all routes' without", () => {
    const store = events()
    const one = errorSummary(store, { route: 'ask', maxBytes: 2048, now: NOW, sample: true })
    expect(one.split('\n')).toEqual([
      '**route ask**: 2 kinds of error, 3 occurrences; newest first (cap 2,048 bytes).',
      '- over-budget ×2 (last 1m ago, first 5m ago): prompt 9,120 tokens over 4,000',
      '- model-5xx ×1 (last 1d 6h ago, first 1d 6h ago): the model answered 502',
      'Newest sample (redacted): LOG-LINE a',
    ])
    const all = errorSummary(store, { maxBytes: 2048, now: NOW })
    expect(all).toContain(
      '- service-status · egress-timeout ×1 (last 2h ago, first 2h ago): status API: no answer in 3 s',
    )
    expect(all).not.toContain('LOG-LINE')
  })

  it('is what a skill reads: the last 24 h, never a sample, within its byte budget', () => {
    const store = events()
    const skill = diagnosticsService(store, 2048, () => NOW)
    expect(skill.summary({ route: 'ask' }).split('\n')).toEqual([
      '**route ask** in the last 24 h: 1 kind of error, 2 occurrences; newest first (cap 2,048 bytes).',
      '- over-budget ×2 (last 1m ago, first 5m ago): prompt 9,120 tokens over 4,000',
    ])
    expect(skill.summary({ route: 'nowhere' })).toBe('No error events stored for route nowhere in the last 24 h.')
    const tight = diagnosticsService(store, 200, () => NOW).summary()
    expect(Buffer.byteLength(tight)).toBeLessThanOrEqual(200)
    expect(tight).toMatch(/more not shown/)
  })
})
