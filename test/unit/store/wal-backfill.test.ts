import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type DB } from '../../../src/store/db.js'
import { fsyncOnThreadPool, OffThreadBackfill, type SyncFile } from '../../../src/store/wal-backfill.js'
import { WalIndexReader } from '../../../src/store/wal-index.js'
import { removeDir, tempDir } from '../../helpers/temp-dir.js'

// A backfill round with its fsyncs on the thread pool must keep SQLite's order: the WAL on disk before any
// page is copied, only frames up to the round's fence copied, and the WAL not started over until the copied
// pages are on disk. The fake sync below lets each test hold a round between those steps.

const cleanups: (() => void)[] = []

afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function database(): { db: DB; file: string } {
  const dir = tempDir('router-wal-backfill-')
  const file = join(dir, 'router.db')
  const db = openDatabase(file)
  db.pragma('wal_autocheckpoint = 0')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
  cleanups.push(() => {
    db.close()
    removeDir(dir)
  })
  return { db, file }
}

/** One committed transaction per row, each a page or more. */
function commitPages(db: DB, count: number): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
  for (let i = 0; i < count; i++) insert.run('x'.repeat(5000))
}

/** A sync that records each call and resolves (or fails) only when the test says so. */
function heldSync() {
  const calls: { file: string; release: (err?: Error) => void }[] = []
  const waiters: (() => void)[] = []
  const sync: SyncFile = (file) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ file, release: (err) => (err ? reject(err) : resolve()) })
      for (const w of waiters.splice(0)) w()
    })
  /** Resolves once the n-th call (from 1) has been made. */
  const called = (n: number) =>
    new Promise<{ file: string; release: (err?: Error) => void }>((resolve) => {
      const check = () => (calls.length >= n ? resolve(calls[n - 1]!) : waiters.push(check))
      check()
    })
  return { sync, calls, called }
}

/** The warnings a round logged. */
function warnings() {
  const messages: string[] = []
  return { messages, warn: (_obj: object, msg: string) => void messages.push(msg) }
}

function backfiller(db: DB, file: string, sync: SyncFile, log = warnings()) {
  const b = new OffThreadBackfill(db, file, { sync, log, dbSyncRetryMs: 1 })
  cleanups.push(() => b.close())
  return b
}

const position = (file: string) => {
  const reader = new WalIndexReader(`${file}-shm`)
  try {
    return reader.read()
  } finally {
    reader.close()
  }
}

describe('WalIndexReader', () => {
  it("reads the same frame counts as SQLite's own checkpoint report", () => {
    const { db, file } = database()
    commitPages(db, 12)
    const before = position(file)!
    const report = (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0]!
    expect(before.mxFrame).toBe(report.log)
    expect(before.nBackfill).toBe(0)
    const after = position(file)!
    expect(after.mxFrame).toBe(report.log)
    expect(after.nBackfill).toBe(report.checkpointed)
    expect(report.checkpointed).toBeGreaterThan(12)
  })

  it('answers undefined when there is no WAL index file', () => {
    const dir = tempDir('router-wal-index-')
    cleanups.push(() => removeDir(dir))
    const reader = new WalIndexReader(join(dir, 'missing.db-shm'))
    expect(reader.read()).toBeUndefined()
    reader.close()
  })
})

describe('OffThreadBackfill', () => {
  it('syncs the WAL, then copies, then syncs the database, and after it the WAL starts over', async () => {
    const { db, file } = database()
    commitPages(db, 40)
    const order: string[] = []
    const sync: SyncFile = async (f) => {
      order.push(`${f === `${file}-wal` ? 'wal' : f === file ? 'db' : f} synced, ${position(file)!.nBackfill} copied`)
    }
    const result = await backfiller(db, file, sync).round()
    expect(result.kind).toBe('copied')
    if (result.kind !== 'copied') return
    expect(result.backfilled).toBe(result.walFrames)
    expect(order).toEqual(['wal synced, 0 copied', `db synced, ${result.walFrames} copied`])
    commitPages(db, 1)
    expect(position(file)!.mxFrame).toBeLessThan(5)
  })

  it('copies only the frames committed before its fence, not those written while the WAL syncs', async () => {
    const { db, file } = database()
    commitPages(db, 40)
    const framesBefore = position(file)!.mxFrame
    const held = heldSync()
    const round = backfiller(db, file, held.sync).round()
    const walSync = await held.called(1)
    expect(walSync.file).toBe(`${file}-wal`)
    commitPages(db, 10)
    walSync.release()
    ;(await held.called(2)).release()
    const result = await round
    expect(result).toMatchObject({ kind: 'copied', backfilled: framesBefore })
    expect(position(file)!.mxFrame).toBeGreaterThan(framesBefore)
  })

  it('keeps the WAL from starting over until the database sync has finished', async () => {
    const { db, file } = database()
    commitPages(db, 40)
    const held = heldSync()
    const round = backfiller(db, file, held.sync).round()
    ;(await held.called(1)).release()
    const dbSync = await held.called(2)
    expect(dbSync.file).toBe(file)
    const copied = position(file)!
    expect(copied.nBackfill).toBe(copied.mxFrame)
    // Everything is copied but not known to be on disk: this commit must append, not overwrite frame 1.
    commitPages(db, 1)
    expect(position(file)!.mxFrame).toBeGreaterThan(copied.mxFrame)
    dbSync.release()
    await round
    const more = backfiller(db, file, async () => undefined)
    await more.round()
    commitPages(db, 1)
    expect(position(file)!.mxFrame).toBeLessThan(5)
  })

  it('copies nothing when the WAL cannot be synced, and says so', async () => {
    const { db, file } = database()
    commitPages(db, 20)
    const result = await backfiller(db, file, async () => {
      throw new Error('EIO: i/o error, fsync')
    }).round()
    expect(result).toMatchObject({ kind: 'failed', step: 'wal-sync' })
    expect(position(file)!.nBackfill).toBe(0)
  })

  it('retries a failed database sync with the fence held, logs it once, then finishes', async () => {
    const { db, file } = database()
    commitPages(db, 20)
    const log = warnings()
    let dbFailures = 0
    let framesWhileFailing = 0
    const sync: SyncFile = async (f) => {
      if (f !== file || dbFailures >= 3) return
      dbFailures++
      commitPages(db, 1)
      framesWhileFailing = position(file)!.mxFrame
      throw new Error('EIO: i/o error, fsync')
    }
    const result = await backfiller(db, file, sync, log).round()
    expect(result.kind).toBe('copied')
    expect(dbFailures).toBe(3)
    // Each commit during the failures appended: the WAL never started over under the unsynced pages.
    expect(framesWhileFailing).toBeGreaterThan(22)
    expect(log.messages.filter((m) => m.startsWith('could not flush the database'))).toHaveLength(1)
  })

  it('skips when every frame is already copied', async () => {
    const { db, file } = database()
    commitPages(db, 5)
    db.pragma('wal_checkpoint(PASSIVE)')
    const result = await backfiller(db, file, async () => undefined).round()
    expect(result).toMatchObject({ kind: 'skipped', reason: 'nothing-to-copy' })
  })

  it('answers unavailable for a database that is not in WAL mode', async () => {
    const dir = tempDir('router-wal-backfill-')
    const file = join(dir, 'plain.db')
    const db = openDatabase(file)
    db.pragma('journal_mode = DELETE')
    cleanups.push(() => {
      db.close()
      removeDir(dir)
    })
    const result = await backfiller(db, file, async () => undefined).round()
    expect(result.kind).toBe('unavailable')
  })

  it('closing mid-round syncs the copied pages itself, lets the WAL start over, and the round stops', async () => {
    const { db, file } = database()
    commitPages(db, 40)
    const held = heldSync()
    const b = backfiller(db, file, held.sync)
    const round = b.round()
    ;(await held.called(1)).release()
    const dbSync = await held.called(2)
    b.close()
    dbSync.release()
    expect(await round).toMatchObject({ kind: 'skipped', reason: 'stopped' })
    commitPages(db, 1)
    expect(position(file)!.mxFrame).toBeLessThan(5)
  })

  it('the real sync flushes files through the thread pool', async () => {
    const { db, file } = database()
    commitPages(db, 3)
    await fsyncOnThreadPool(`${file}-wal`)
    await expect(fsyncOnThreadPool(join(file, 'nope'))).rejects.toThrow()
    expect(existsSync(`${file}-wal`)).toBe(true)
    const result = await backfiller(db, file, fsyncOnThreadPool).round()
    expect(result.kind).toBe('copied')
  })
})
