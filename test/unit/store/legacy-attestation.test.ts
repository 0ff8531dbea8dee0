import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase, readMigrations } from '../../../src/store/db.js'
import { AuditLog } from '../../../src/store/audit.js'
import { openStores } from '../../../src/store/open.js'
import { tempDir } from '../../helpers/temp-dir.js'

const KEY = 'legacy-test-key-7c6b5a4f3e2d1c0b'

/** A database as a router before state attestation left it: a state version and a review beside the chain. */
function legacyDatabase(): string {
  const file = join(tempDir('legacy-'), 'router.db')
  const db = openDatabase(file)
  migrate(
    db,
    readMigrations().filter((m) => m.version < 7),
  )
  const glass = new AuditLog(db, Buffer.from(KEY)).append({
    actor: 'root',
    channel: 'cli',
    action: 'disable-skill',
    args: { skill: 'ping' },
    outcome: 'executed',
    breakGlass: true,
  })
  db.prepare(
    `INSERT INTO runtime_config (state, created_at, actor, reason) VALUES ('{"skills":{"ping":{"enabled":false}},"incident":{"on":false},"budgets":{}}', 1, 'root', 'old')`,
  ).run()
  db.prepare('INSERT INTO audit_reviews (seq, reviewed_by, reviewed_at) VALUES (?, ?, ?)').run(glass.seq, 'bob', 2)
  db.close()
  return file
}

describe('upgrading a database from before state attestation', () => {
  it('attests the newest version and copies the reviews into the chain, once', () => {
    const file = legacyDatabase()
    const first = openStores({ db: file, auditKey: KEY })
    expect(first.stores.state.current()).toMatchObject({ version: 1, state: { skills: { ping: { enabled: false } } } })
    expect(first.stores.audit.unreviewedBreakGlass().total).toBe(0)
    expect(first.stores.audit.reviewOf(1)?.reviewedBy).toBe('bob')
    const legacy = [...first.stores.audit.entries()].filter((e) => e.action === 'legacy-attestation')
    expect(legacy).toHaveLength(1)
    expect(first.stores.audit.verify()).toMatchObject({ ok: true, count: 3 })
    // Someone puts the one-shot row back to get a forged version attested: ignored.
    first.db
      .prepare(
        `INSERT INTO runtime_config (state, created_at, actor, reason) VALUES ('{"skills":{},"incident":{"on":true},"budgets":{}}', 3, 'mallory', 'x')`,
      )
      .run()
    first.db.prepare('INSERT INTO legacy_attestation (id, version) VALUES (1, 2)').run()
    first.db.close()
    const again = openStores({ db: file, auditKey: KEY })
    expect(again.stores.state.current().version).toBe(1)
    expect(again.stores.state.unattested()).toEqual([2])
    expect([...again.stores.audit.entries()].filter((e) => e.action === 'legacy-attestation')).toHaveLength(1)
    again.db.close()
  })

  /** A version and the one-shot row written straight into the file, by someone without the audit key. */
  function forge(db: ReturnType<typeof openStores>['db']): void {
    db.prepare(
      `INSERT INTO runtime_config (state, created_at, actor, reason) VALUES ('{"skills":{},"incident":{"on":true},"budgets":{}}', 3, 'mallory', 'x')`,
    ).run()
    const forged = db.prepare('SELECT MAX(version) FROM runtime_config').pluck().get() as number
    db.prepare('INSERT INTO legacy_attestation (id, version) VALUES (1, ?)').run(forged)
  }

  it('ignores the one-shot row on a database created after the migration, where no legacy entry exists', () => {
    const file = join(tempDir('legacy-fresh-'), 'router.db')
    const first = openStores({ db: file, auditKey: KEY })
    expect([...first.stores.audit.entries()]).toHaveLength(0)
    forge(first.db)
    first.db.close()
    const again = openStores({ db: file, auditKey: KEY })
    expect(again.stores.state.current().version).toBe(0)
    expect(again.stores.state.unattested()).toEqual([1])
    expect([...again.stores.audit.entries()]).toHaveLength(0)
    expect(again.db.prepare('SELECT COUNT(*) FROM legacy_attestation').pluck().get()).toBe(0)
    again.db.close()
  })

  it('ignores the one-shot row once retention has pruned the legacy entry', () => {
    const file = legacyDatabase()
    const first = openStores({ db: file, auditKey: KEY })
    expect(first.stores.state.current().version).toBe(1)
    first.stores.audit.pruneBefore(Date.now() + 60_000)
    expect([...first.stores.audit.entries()].filter((e) => e.action === 'legacy-attestation')).toHaveLength(0)
    forge(first.db)
    first.db.close()
    const again = openStores({ db: file, auditKey: KEY })
    expect(again.stores.state.unattested()).toContain(2)
    expect(again.stores.state.current().state.incident.on).toBe(false)
    expect([...again.stores.audit.entries()].filter((e) => e.action === 'legacy-attestation')).toHaveLength(0)
    expect(again.stores.audit.verify().ok).toBe(true)
    again.db.close()
  })
})
