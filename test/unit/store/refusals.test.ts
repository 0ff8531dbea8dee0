import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { refusalTallyJob } from '../../../src/jobs/refusal-tally.js'
import { openStores } from '../../../src/store/open.js'
import { TEST_SECRETS } from '../../helpers/router.js'
import { tempDir } from '../../helpers/temp-dir.js'

const MIN = 60_000
const T0 = Date.parse('2030-03-04T05:06:00.000Z')
let opened: ReturnType<typeof openStores> | undefined
afterEach(() => {
  opened?.db.close()
  opened = undefined
})

function stores(now: () => number, dir = tempDir()) {
  opened = openStores({ db: join(dir, 'router.db'), auditKey: TEST_SECRETS.auditKey }, now)
  return { ...opened.stores, dir }
}

const attempt = (command: string, actor = 'staff:user9') => ({
  actor,
  reason: 'not an operator',
  command,
  conversationId: 'cid-ops',
  text: `/${command}`,
})

describe('refusal tally: one audit entry per sender and minute', () => {
  it('counts exactly, bounds what it remembers, and treats every name as data', () => {
    let t = T0 + 1000
    const s = stores(() => t)
    for (let i = 0; i < 30; i++) s.refusals.record(attempt(`cmd-${i % 15}`), t)
    s.refusals.record(attempt('constructor'), t)
    s.refusals.record(attempt('status', 'sender:$:LWCP_v1:$abc'), t + 1) // entries follow first sight
    expect([...s.audit.entries()]).toEqual([])

    // The next minute: the first record writes the closed minute's entries, one per sender.
    t += MIN
    s.refusals.record(attempt('status'), t)
    const entries = [...s.audit.entries()]
    expect(entries.map((e) => [e.actor, e.outcome, e.args.count])).toEqual([
      ['staff:user9', 'rejected', 31],
      ['sender:$:LWCP_v1:$abc', 'rejected', 1],
    ])
    const commands = entries[0]!.args.commands as Record<string, number>
    expect(Object.keys(commands)).toHaveLength(11) // ten names, then "other"
    expect(Object.values(commands).reduce((a, b) => a + b, 0)).toBe(31)
    expect(commands.other).toBe(11)
    expect(s.audit.verify()).toMatchObject({ ok: true, count: 2 })
  })

  it('keeps counts across a crash: the job writes a closed minute left behind', async () => {
    const dir = tempDir()
    let t = T0 + 2000
    const first = stores(() => t, dir)
    for (let i = 0; i < 5; i++) first.refusals.record(attempt('approve'), t)
    opened!.db.close() // no flush, as after a SIGKILL
    opened = undefined

    t += 2 * MIN
    const second = stores(() => t, dir)
    await refusalTallyJob(second).run(t)
    expect([...second.audit.entries()].map((e) => [e.action, e.args.count, e.args.from])).toEqual([
      ['approve', 5, new Date(T0 + 2000).toISOString()],
    ])
    // Nothing is written twice.
    await refusalTallyJob(second).run(t + MIN)
    expect([...second.audit.entries()]).toHaveLength(1)
  })
})
