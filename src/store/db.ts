import Database from 'better-sqlite3'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { packagePath } from '../package-root.js'
import { databaseFolderError } from './db-folder-error.js'

export type DB = Database.Database

/** Where the project's plain-SQL migrations live. */
const MIGRATIONS_DIR = packagePath('migrations')

/**
 * Opens (and creates, with its folder) the SQLite file with the pragmas every process must share:
 * WAL so the bot and routerctl work side by side, foreign keys, and a busy timeout instead of SQLITE_BUSY.
 * @example const db = openDatabase('./data/router.db')
 */
export function openDatabase(file: string, opts: { readonly?: boolean } = {}): DB {
  let db: DB
  try {
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true })
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false })
  } catch (err) {
    throw databaseFolderError(file, err)
  }
  db.pragma('busy_timeout = 5000')
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
  }
  db.pragma('foreign_keys = ON')
  return db
}

export interface Migration {
  version: number
  name: string
  sql: string
}

/** Reads `NNN_name.sql` files in version order; anything else in the folder is ignored. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .map((file) => /^(\d{3})_([\w-]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version)
}

/**
 * Applies every migration newer than the database, each in its own transaction, and records it.
 * @returns the versions applied now.
 */
export function migrate(db: DB, migrations: Migration[] = readMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  const done: number[] = []
  for (const m of migrations) {
    if (applied.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name, new Date().toISOString())
    }).immediate()
    done.push(m.version)
  }
  return done
}

/** The highest migration version the database has, or 0 for a fresh file. */
export function schemaVersion(db: DB): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (!exists) return 0
  return (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null) ?? 0
}

/** True when every known migration is applied: part of readiness. */
export function migrationsCurrent(db: DB, migrations: Migration[] = readMigrations()): boolean {
  const latest = migrations.at(-1)?.version ?? 0
  return schemaVersion(db) >= latest
}
