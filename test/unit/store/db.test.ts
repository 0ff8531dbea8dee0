import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AuditLog } from '../../../src/store/audit.js'
import {
  migrate,
  migrationsCurrent,
  openDatabase,
  readMigrations,
  schemaVersion,
  type DB,
} from '../../../src/store/db.js'
import { openStores } from '../../../src/store/open.js'

let dir: string
const open: DB[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'db-test-'))
})
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

function db(file = join(dir, 'router.db')): DB {
  const d = openDatabase(file)
  open.push(d)
  return d
}

const KEY = Buffer.from('unit-test-audit-key-0123456789')

describe('migrations', () => {
  const all = readMigrations()
  const latest = all.at(-1)!.version

  it('are numbered 1, 2, 3… without gaps, each with a name', () => {
    expect(all.map((m) => m.version)).toEqual(all.map((_, i) => i + 1))
    for (const m of all) expect(m.name).toMatch(/^[\w-]+$/)
  })

  it('give a fresh database every version, once', () => {
    const d = db()
    expect(schemaVersion(d)).toBe(0)
    expect(migrationsCurrent(d)).toBe(false)
    expect(migrate(d)).toEqual(all.map((m) => m.version))
    expect(schemaVersion(d)).toBe(latest)
    expect(migrationsCurrent(d)).toBe(true)
    expect(migrate(d)).toEqual([])
    const recorded = d.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()
    expect(recorded).toEqual(all.map((m) => ({ version: m.version, name: m.name })))
  })

  it('upgrade an older database (only 001 applied) to the latest, keeping its data', () => {
    const file = join(dir, 'old.db')
    const old = db(file)
    expect(migrate(old, all.slice(0, 1))).toEqual([1])
    expect(schemaVersion(old)).toBe(1)
    expect(migrationsCurrent(old)).toBe(false)
    // Rows written the way the code of that time wrote them: plain SQL against the 001 schema only.
    old
      .prepare('INSERT INTO inbox (msg_id, received_at, payload) VALUES (?, ?, ?)')
      .run('msg-old', 1000, '{"kept":true}')
    old
      .prepare(`INSERT INTO audit (seq, ts, actor, channel, action, args, outcome, prev_hash, hash)
      VALUES (1, '2024-01-01T00:00:00.000Z', 'router', 'system', 'start', '{"version":"old"}', 'executed', ?, ?)`)
      .run('0'.repeat(64), 'f'.repeat(64))
    old.close()

    // The next start opens the same file with the current code.
    const {
      db: upgraded,
      stores,
      migrationsCurrent: current,
    } = openStores({ db: file, auditKey: KEY.toString('utf8') })
    open.push(upgraded)
    expect(schemaVersion(upgraded)).toBe(latest)
    expect(current()).toBe(true)
    expect(stores.inbox.pending()).toEqual([{ msgId: 'msg-old', payload: '{"kept":true}' }])
    expect(stores.inbox.receive('msg-old', '{}', 3000)).toBe('duplicate')
    expect(upgraded.prepare('SELECT seq, actor, action, args FROM audit').all()).toEqual([
      { seq: 1, actor: 'router', action: 'start', args: '{"version":"old"}' },
    ])
    // Tables of later migrations work.
    stores.usage.recordMessage('ping', false, 60_000)
    stores.kv.set('k', { v: 1 }, 1)
    expect(stores.kv.get('k')).toEqual({ v: 1 })
  })

  it('roll back a failing migration completely and do not record it', () => {
    const custom = join(dir, 'migrations')
    mkdirSync(custom)
    writeFileSync(join(custom, '001_ok.sql'), 'CREATE TABLE a (x INTEGER);')
    writeFileSync(join(custom, '002_broken.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);')
    writeFileSync(join(custom, 'README.md'), 'ignored')
    writeFileSync(join(custom, '3_bad_name.sql'), 'ignored')
    const migrations = readMigrations(custom)
    expect(migrations.map((m) => m.version)).toEqual([1, 2])
    const d = db()
    expect(() => migrate(d, migrations)).toThrow(/nowhere/)
    expect(schemaVersion(d)).toBe(1)
    const tables = d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
    expect(tables).toContain('a')
    expect(tables).not.toContain('b')
  })

  it('open with WAL, foreign keys and a busy timeout, creating the folder', () => {
    const d = db(join(dir, 'nested', 'deeper', 'router.db'))
    expect(d.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(d.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(d.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('checkpoint at the WAL size limit: one setting bounds the WAL and sets how often a commit checkpoints', () => {
    const d = db()
    expect(d.pragma('journal_size_limit', { simple: true })).toBe(4 * 1024 * 1024)
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(1024)
    const big = openDatabase(join(dir, 'big.db'), { walLimitBytes: 16 * 1024 * 1024 })
    open.push(big)
    expect(big.pragma('journal_size_limit', { simple: true })).toBe(16 * 1024 * 1024)
    expect(big.pragma('wal_autocheckpoint', { simple: true })).toBe(4096)
  })

  it('leave the audit table append-only', () => {
    const d = db()
    migrate(d)
    new AuditLog(d, KEY).append({ actor: 'a', channel: 'system', action: 'x', outcome: 'executed' })
    expect(() => d.prepare("UPDATE audit SET actor = 'b'").run()).toThrow(/append-only/)
  })

  it('a second process sees the same schema (readonly open)', () => {
    const file = join(dir, 'shared.db')
    migrate(db(file))
    const ro = new Database(file, { readonly: true })
    try {
      expect(schemaVersion(ro)).toBe(latest)
    } finally {
      ro.close()
    }
  })
})
