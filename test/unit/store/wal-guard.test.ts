import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openDatabase, type DB } from '../../../src/store/db.js'
import { type CheckpointRow, fsyncOnThreadPool, WalGuard, type WalGuardOptions } from '../../../src/store/wal-guard.js'
import { removeDir, tempDir } from '../../helpers/temp-dir.js'

// The guard keeps SQLite's checkpoints out of the commits acks wait on: auto-checkpoint off while it runs,
// committed pages copied back by its own short timer, auto-checkpoint restored when it stops.

const silent = { warn: () => undefined, info: () => undefined }
const opened: { db: DB; dir: string }[] = []

afterEach(() => {
  vi.useRealTimers()
  for (const { db, dir } of opened.splice(0)) {
    db.close()
    removeDir(dir)
  }
})

function database(): { db: DB; file: string } {
  const dir = tempDir('router-wal-guard-')
  const file = join(dir, 'router.db')
  const db = openDatabase(file)
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
  opened.push({ db, dir })
  return { db, file }
}

function guard(db: DB, file: string, backfillIntervalMs: number, more: Partial<WalGuardOptions> = {}): WalGuard {
  return new WalGuard(db, file, {
    ...more,
    limitBytes: 64 * 1024 * 1024,
    warnBytes: 128 * 1024 * 1024,
    busyTimeoutMs: 5000,
    intervalMs: 3_600_000,
    backfillIntervalMs,
    log: silent,
  })
}

/** One committed transaction per row, each a page or more, as the inbox writes one per turn. */
function commitPages(db: DB, count: number): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
  for (let i = 0; i < count; i++) insert.run('x'.repeat(5000))
}

/** The WAL's frames and how many are backfilled, read by a checkpoint that copies nothing new (a reader would). */
const walFrames = (db: DB) => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log

/** Resolves when the guard reports a finished backfill round. */
function roundFinished() {
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  return { finished, done: () => done() }
}

/**
 * A guard on a 50 ms backfill timer (fake), 40 pages committed, the timer fired, and the round awaited: it
 * first flushes the WAL on the thread pool, and its checkpoint runs a few turns later.
 */
async function oneTimedRound(more: (db: DB) => Pick<WalGuardOptions, 'flushFile'> = () => ({})) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  const { db, file } = database()
  const round = roundFinished()
  const g = guard(db, file, 50, { ...more(db), onBackfillRound: round.done })
  g.start()
  commitPages(db, 40)
  vi.advanceTimersByTime(50)
  await round.finished
  return { db, file, g }
}

describe('WalGuard backfill', () => {
  it('turns auto-checkpoint off while it runs, so commits never checkpoint, and backfills on its own', () => {
    const { db, file } = database()
    db.pragma('wal_autocheckpoint = 10')
    const g = guard(db, file, 3_600_000)
    g.start()
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    commitPages(db, 60)
    // With auto-checkpoint at 10 pages the WAL would have restarted every 10 or so frames.
    const { walFrames: frames, backfilled } = g.backfill()
    expect(frames).toBeGreaterThan(60)
    expect(backfilled).toBe(frames)
    g.stop()
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10)
  })

  it('backfills on its timer: after a round the next commit starts the WAL again from its beginning', async () => {
    const { db, g } = await oneTimedRound()
    // Everything was copied back, so this write restarts the WAL: a few frames, not forty-odd.
    commitPages(db, 1)
    expect(walFrames(db)).toBeLessThan(5)
    g.stop()
  })

  it('without a round, the frames stay in the WAL (the check above is not vacuous)', () => {
    const { db, file } = database()
    const g = guard(db, file, 3_600_000)
    g.start()
    commitPages(db, 40)
    commitPages(db, 1)
    expect(walFrames(db)).toBeGreaterThan(40)
    g.stop()
  })

  it('flushes the WAL on the thread pool before the round checkpoints, then copies everything', async () => {
    const flushed: { file: string; framesWaiting: number }[] = []
    const { db, file, g } = await oneTimedRound((db) => ({
      flushFile: async (f) => {
        const { log, checkpointed } = (db.pragma('wal_checkpoint(NOOP)') as CheckpointRow[])[0]!
        flushed.push({ file: f, framesWaiting: log - checkpointed })
      },
    }))
    expect(flushed).toHaveLength(1)
    expect(flushed[0]!.file).toBe(`${file}-wal`)
    expect(flushed[0]!.framesWaiting).toBeGreaterThan(40)
    commitPages(db, 1)
    expect(walFrames(db)).toBeLessThan(5)
    g.stop()
  })

  it('a failed flush ahead changes nothing: the checkpoint syncs and copies on its own', async () => {
    const { db, g } = await oneTimedRound(() => ({
      flushFile: async () => {
        throw new Error('EIO: i/o error, fsync')
      },
    }))
    commitPages(db, 1)
    expect(walFrames(db)).toBeLessThan(5)
    g.stop()
  })

  it('a round whose flush returns after stop() neither checkpoints nor schedules another', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { db, file } = database()
    let releaseFlush!: () => void
    let checkpoints = 0
    const g = guard(db, file, 50, {
      flushFile: () => new Promise<void>((resolve) => (releaseFlush = resolve)),
      checkpointPassive: () => {
        checkpoints++
        return { busy: 0, log: 0, checkpointed: 0 }
      },
    })
    g.start()
    vi.advanceTimersByTime(50)
    const firstFlush = releaseFlush
    g.stop()
    firstFlush()
    await new Promise((resolve) => setImmediate(resolve))
    expect(checkpoints).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})

/** A guard whose checkpoint answers what the test says, on a fixed clock. */
function scriptedGuard(answer: () => CheckpointRow, more: Partial<WalGuardOptions> = {}) {
  const { db, file } = database()
  return guard(db, file, more.backfillIntervalMs ?? 3_600_000, {
    now: () => Date.parse('2026-12-01T03:00:00Z'),
    checkpointPassive: answer,
    ...more,
  })
}

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code })
const copied = { busy: 0, log: 8, checkpointed: 8 }

describe('WalGuard checkpoint failures (what /ready reports)', () => {
  it('a busy or locked database, or a misused connection, is no failure', () => {
    const errors = [
      sqliteError('SQLITE_BUSY', 'database is locked'),
      sqliteError('SQLITE_BUSY_SNAPSHOT', 'database is locked'),
      sqliteError('SQLITE_LOCKED', 'database table is locked'),
      new TypeError('This database connection is busy executing a query'),
    ]
    let next = 0
    const g = scriptedGuard(() => {
      throw errors[next++]!
    })
    for (let i = 0; i < errors.length; i++) g.backfill()
    expect(g.failure()).toBeUndefined()
  })

  it('a full disk stands, with its time and advice, until a round copies pages again', () => {
    let answer: () => CheckpointRow = () => {
      throw sqliteError('SQLITE_FULL', 'database or disk is full')
    }
    const g = scriptedGuard(() => answer())
    g.backfill()
    g.backfill()
    expect(g.failure()).toMatchObject({ kind: 'full', since: Date.parse('2026-12-01T03:00:00Z'), sticky: false })
    expect(g.facts().warning).toBe(
      'committed data is not reaching the database file: the WAL checkpoint fails (database or disk is full) since 2026-12-01T03:00:00.000Z; the disk is full; free space on the volume that holds data/ and this clears after the next good checkpoint',
    )
    // A round that copied nothing (a reader pins every frame) proves nothing.
    answer = () => ({ busy: 0, log: 8, checkpointed: 0 })
    g.backfill()
    expect(g.failure()?.kind).toBe('full')
    answer = () => copied
    g.backfill()
    expect(g.failure()).toBeUndefined()
    expect(g.facts().warning).toBeUndefined()
  })

  it('an I/O error stands until a restart, even after good rounds (the kernel may have dropped the pages)', () => {
    let fail = true
    const g = scriptedGuard(() => {
      if (fail) throw sqliteError('SQLITE_IOERR_FSYNC', 'disk I/O error')
      return copied
    })
    g.backfill()
    fail = false
    g.backfill()
    expect(g.failure()).toMatchObject({ kind: 'io', sticky: true, error: 'disk I/O error' })
    expect(g.facts().warning).toMatch(/data written before it may not be on disk; .* restart the router/)
  })

  it('a flush that does not return is a disk that stopped answering', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let releaseFlush!: () => void
    const round = roundFinished()
    const g = scriptedGuard(() => copied, {
      backfillIntervalMs: 50,
      flushHungMs: 0,
      flushFile: () => new Promise<void>((resolve) => (releaseFlush = resolve)),
      onBackfillRound: round.done,
    })
    g.start()
    vi.advanceTimersByTime(50)
    g.tick()
    expect(g.failure()).toMatchObject({ kind: 'flush-hung', sticky: false })
    expect(g.facts().warning).toMatch(/a flush of the WAL has not returned for \d+ s.*the disk has stopped answering/)
    releaseFlush()
    await round.finished
    expect(g.failure()).toBeUndefined()
    g.stop()
  })
})

describe('fsyncOnThreadPool', () => {
  it('flushes a real file and rejects for a missing one', async () => {
    const { file } = database()
    await expect(fsyncOnThreadPool(file)).resolves.toBeUndefined()
    await expect(fsyncOnThreadPool(`${file}.missing`)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
