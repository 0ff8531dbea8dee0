import Database from 'better-sqlite3'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packagePath } from '../package-root.js'
import { databaseFolderError } from './db-folder-error.js'
import { ensurePrivateDir, makePrivate } from './private-files.js'

// Opens the SQLite database (WAL, private file) and applies the plain-SQL migrations.

export type DB = Database.Database

/** Where the project's plain-SQL migrations live. */
const MIGRATIONS_DIR = packagePath('migrations')

/** The WAL size a checkpoint truncates back to (`journal_size_limit`) unless a process asks for another. */
const DEFAULT_WAL_LIMIT_BYTES = 4 * 1024 * 1024

/** How a process opens the database; the bot waits less for locks than routerctl does. */
export interface OpenOptions {
  readonly?: boolean
  /** How long a statement waits for a lock another process holds; the wait blocks this process. Default 5000. */
  busyTimeoutMs?: number
  /**
   * `journal_size_limit` (the WAL is cut back to this size whenever SQLite restarts it) and, in pages, the
   * auto-checkpoint threshold.
   */
  walLimitBytes?: number
}

/**
 * Opens (and creates, with its folder) the SQLite file with the pragmas every process must share:
 * WAL so the bot and routerctl work side by side, foreign keys, and a busy timeout instead of SQLITE_BUSY.
 * The folder is created 0700 and the database 0600 whatever the umask (SQLite gives the WAL and SHM files
 * the database's mode). Deleted content is overwritten (`secure_delete`), so an answered message's
 * session webhook does not survive in free space.
 * @example const db = openDatabase('./data/router.db')
 */
export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  const readonly = opts.readonly ?? false
  let db: DB
  try {
    if (file !== ':memory:' && !readonly) {
      ensurePrivateDir(file)
      makePrivate(file)
    }
    db = new Database(file, { readonly, fileMustExist: readonly })
  } catch (err) {
    throw databaseFolderError(file, err)
  }
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`)
  if (!readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const walLimitBytes = opts.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES
    db.pragma(`journal_size_limit = ${walLimitBytes}`)
    // SQLite checkpoints inside the commit that takes the WAL past this many pages, so that commit is slow.
    // Tied to the same limit, so one setting trades WAL size against how often a commit pays for it; the
    // 4 MiB default is SQLite's own 1,000 pages or so. The router's own connection turns this off while its
    // WalGuard runs and backfills on a short timer instead, outside the commits acks wait on.
    const pageSize = db.pragma('page_size', { simple: true }) as number
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(walLimitBytes / pageSize))}`)
    db.pragma('secure_delete = ON')
    if (file !== ':memory:') makePrivate(file)
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
