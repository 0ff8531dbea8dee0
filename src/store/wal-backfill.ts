import { closeSync, fsyncSync, openSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { type DB, openDatabase } from './db.js'
import { WalIndexReader } from './wal-index.js'

/** Flushes one file to stable storage. */
export type SyncFile = (file: string) => Promise<void>

/** fsync on libuv's thread pool: the event loop goes on while the disk works. */
export const fsyncOnThreadPool: SyncFile = async (file) => {
  const handle = await open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** What one round did. */
export type RoundOutcome =
  | { kind: 'copied'; walFrames: number; backfilled: number }
  /** Nothing to copy, or the WAL moved while the fence was set (another process): the next round tries. */
  | { kind: 'skipped'; reason: 'nothing-to-copy' | 'wal-moving' | 'stopped' }
  /** No readable WAL index (not a WAL database, or shared memory not in a file): use a plain checkpoint. */
  | { kind: 'unavailable' }
  | { kind: 'failed'; step: 'fence' | 'wal-sync' | 'checkpoint'; err: unknown }

/** A round's outcome and the time it held the event loop. */
export type RoundResult = RoundOutcome & { mainThreadMs: number }

type NotCopied = Exclude<RoundOutcome, { kind: 'copied' }>
type Fence = { db: DB; begin: () => void; end: () => void }

/** Settings of {@link OffThreadBackfill}. */
export interface OffThreadBackfillOptions {
  sync: SyncFile
  log: { warn(obj: object, msg: string): void }
  /** How long a round that could not flush the database waits before it tries again. Default 1 s. */
  dbSyncRetryMs?: number
}

/**
 * A backfill round whose two fsyncs run on the thread pool. SQLite's PASSIVE checkpoint syncs the WAL,
 * copies pages and syncs the database, all on the calling thread; the syncs were 90 % of a round's 3–5 ms
 * here, and every ack arriving meanwhile waited. This takes the same steps in the same order:
 * 1. A read transaction on a second connection, the fence, pins a snapshot. No checkpoint copies a frame
 *    past a reader's snapshot, and no writer starts the WAL over while a reader still uses it.
 * 2. The WAL is synced, so every frame up to the fence is on disk.
 * 3. The checkpoint runs with `synchronous = OFF`, so it only copies, and only up to the fence.
 * 4. The database is synced, so the copied pages are on disk. If that fails, the fence stays and the sync
 *    is retried: the WAL keeps every frame (it grows, and /status says so) until the pages are safe.
 * 5. The fence ends; a writer may start the WAL over.
 * SQLite lets a reader ignore the WAL when every frame is already copied, and such a reader pins nothing.
 * So the round reads the WAL index before and after setting the fence and goes on only if frames were
 * waiting and nothing moved in between.
 */
export class OffThreadBackfill {
  private fence?: Fence
  private readonly index: WalIndexReader
  private readonly syncOff
  private readonly syncBack
  private readonly passive
  /** Bumped by `close`: a round still awaiting a sync sees it and stops touching anything. */
  private generation = 0
  /** Set between steps 3 and 5: pages copied and not known to be on disk. */
  private copiedUnsynced = false
  private dbSyncWarned = false

  private readonly sync: SyncFile
  private readonly log: OffThreadBackfillOptions['log']
  private readonly dbSyncRetryMs: number

  constructor(
    db: DB,
    private readonly dbFile: string,
    opts: OffThreadBackfillOptions,
  ) {
    this.sync = opts.sync
    this.log = opts.log
    this.dbSyncRetryMs = opts.dbSyncRetryMs ?? 1000
    this.index = new WalIndexReader(`${dbFile}-shm`)
    const level = db.pragma('synchronous', { simple: true }) as number
    this.syncOff = db.prepare('PRAGMA synchronous = OFF')
    this.syncBack = db.prepare(`PRAGMA synchronous = ${level}`)
    this.passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
  }

  async round(): Promise<RoundResult> {
    const generation = this.generation
    let mainThreadMs = 0
    const onThread = <T>(fn: () => T): T => {
      const started = performance.now()
      try {
        return fn()
      } finally {
        mainThreadMs += performance.now() - started
      }
    }
    const stopped = () => generation !== this.generation

    const set = onThread(() => this.setFence())
    if ('outcome' in set) return { mainThreadMs, ...set.outcome }
    const { fence } = set
    try {
      try {
        await this.sync(`${this.dbFile}-wal`)
      } catch (err) {
        return { mainThreadMs, kind: 'failed', step: 'wal-sync', err }
      }
      if (stopped()) return { mainThreadMs, kind: 'skipped', reason: 'stopped' }
      let row: { log: number; checkpointed: number }
      try {
        row = onThread(() => this.copyUnsynced())
      } catch (err) {
        return { mainThreadMs, kind: 'failed', step: 'checkpoint', err }
      }
      this.copiedUnsynced = true
      while (!(await this.syncDatabase())) {
        await new Promise((resolve) => setTimeout(resolve, this.dbSyncRetryMs))
        if (stopped()) return { mainThreadMs, kind: 'skipped', reason: 'stopped' }
      }
      if (stopped()) return { mainThreadMs, kind: 'skipped', reason: 'stopped' }
      this.copiedUnsynced = false
      return { mainThreadMs, kind: 'copied', walFrames: row.log, backfilled: row.checkpointed }
    } finally {
      if (!stopped()) onThread(() => fence.end())
    }
  }

  /**
   * Ends any round in flight, on this thread (shutdown): if pages were copied and not yet synced, the
   * database is synced here before the fence lets go. The fence's connection is closed; a later round
   * opens another.
   */
  close(): void {
    this.generation++
    if (this.copiedUnsynced) {
      this.copiedUnsynced = false
      try {
        const fd = openSync(this.dbFile, 'r')
        try {
          fsyncSync(fd)
        } finally {
          closeSync(fd)
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not flush the database to disk at shutdown')
      }
    }
    if (this.fence) {
      try {
        this.fence.end()
      } catch {
        // Not in a transaction: nothing to end.
      }
      this.fence.db.close()
      this.fence = undefined
    }
    this.index.close()
  }

  /** Step 1, on this thread: the fence set over frames still to copy, or why not. */
  private setFence(): { fence: Fence } | { outcome: NotCopied } {
    const before = this.index.read()
    if (!before) return { outcome: { kind: 'unavailable' } }
    if (before.nBackfill >= before.mxFrame) return { outcome: { kind: 'skipped', reason: 'nothing-to-copy' } }
    let fence: Fence
    try {
      this.fence ??= this.openFence()
      fence = this.fence
      fence.begin()
    } catch (err) {
      return { outcome: { kind: 'failed', step: 'fence', err } }
    }
    const after = this.index.read()
    if (!after?.bytes.equals(before.bytes)) {
      fence.end()
      return { outcome: { kind: 'skipped', reason: 'wal-moving' } }
    }
    return { fence }
  }

  private openFence(): Fence {
    // Never waits for a lock: a busy database only skips this round.
    const db = openDatabase(this.dbFile, { readonly: true, busyTimeoutMs: 0 })
    const begin = db.prepare('BEGIN')
    const read = db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1')
    const rollback = db.prepare('ROLLBACK')
    return {
      db,
      begin: () => {
        begin.run()
        try {
          read.get()
        } catch (err) {
          rollback.run()
          throw err
        }
      },
      end: () => {
        if (db.inTransaction) rollback.run()
      },
    }
  }

  private copyUnsynced(): { log: number; checkpointed: number } {
    this.syncOff.run()
    try {
      return this.passive.get() as { log: number; checkpointed: number }
    } finally {
      this.syncBack.run()
    }
  }

  /** Step 4; false after a failure (reported once until a sync succeeds again). */
  private async syncDatabase(): Promise<boolean> {
    try {
      await this.sync(this.dbFile)
      this.dbSyncWarned = false
      return true
    } catch (err) {
      if (!this.dbSyncWarned) {
        this.dbSyncWarned = true
        this.log.warn(
          { err: (err as Error).message },
          'could not flush the database to disk after a WAL backfill; the WAL keeps every page until it can (retrying every second)',
        )
      }
      return false
    }
  }
}
