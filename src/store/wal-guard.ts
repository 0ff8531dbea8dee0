import { statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { type CheckpointFailure, checkpointFailureText, classifyCheckpointError } from './checkpoint-failure.js'
import type { DB } from './db.js'

// Keeps the SQLite WAL small, even while another connection holds a read transaction, and keeps its
// checkpoints out of the commits that acks wait on.

const DEFAULT_BACKFILL_INTERVAL_MS = 200
const MAX_BACKFILL_INTERVAL_MS = 1000

/** Settings of {@link WalGuard}; sizes in bytes. */
export interface WalGuardOptions {
  /** Above this the guard forces a checkpoint that truncates the WAL, as soon as no reader prevents it. */
  limitBytes: number
  /** Above this `/status` carries a warning: something holds a read transaction open. */
  warnBytes: number
  /** The connection's normal busy timeout, restored after each non-waiting checkpoint. */
  busyTimeoutMs: number
  intervalMs?: number
  /**
   * How often committed pages are copied back into the database (a PASSIVE checkpoint). SQLite's own
   * auto-checkpoint does it inside whichever commit takes the WAL past its threshold, and that commit (an
   * inbox write whose acks wait on it) then takes a few milliseconds: the ack's slow tail. A short timer
   * instead does the same work in small slices, between commits, never inside one. This is the shortest
   * pause between rounds; after a slow round (slow storage) it grows, see `scheduleBackfill`. Default 200 ms.
   */
  backfillIntervalMs?: number
  /** Flushes a file to disk ahead of a round (see `scheduleBackfill`); tests pass a fake. */
  flushFile?: (file: string) => Promise<void>
  /** Called after each timed backfill round with the time it held the event loop. */
  onBackfillRound?: (heldMs: number) => void
  /** The PASSIVE checkpoint itself; tests pass one that fails as a failing disk would. */
  checkpointPassive?: () => CheckpointRow
  /** A WAL flush that has not returned after this long is a disk that stopped answering. Default 10 s. */
  flushHungMs?: number
  now?: () => number
  onSize?: (bytes: number) => void
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }
}

/** A `PRAGMA wal_checkpoint` row: blocked, frames in the WAL, frames copied into the database. */
export interface CheckpointRow {
  busy: number
  log: number
  checkpointed: number
}

/** What /status shows about the WAL. */
export interface WalFacts {
  walBytes: number
  warning?: string
}

/**
 * Keeps the WAL small. SQLite cannot rewind the WAL while another connection holds a read transaction,
 * so while one does (a routerctl export, a sqlite3 shell left in BEGIN) every write appends. This checks the
 * size every second and, once it is over the limit or the database has gone quiet, runs a TRUNCATE
 * checkpoint that never waits (busy timeout 0): it succeeds on the first tick after the reader lets go.
 * A quiet database is truncated too, so old page images (answered messages' webhooks) leave the WAL.
 *
 * While it runs, this connection's auto-checkpoint is off and a short timer backfills instead (see
 * `backfillIntervalMs`); `stop` puts the auto-checkpoint back for the writes of the shutdown.
 */
export class WalGuard {
  private timer?: NodeJS.Timeout
  private backfillTimer?: NodeJS.Timeout
  private autoCheckpointPages?: number
  private backfillWarned = false
  private flushWarned = false
  private readonly passive: () => CheckpointRow
  private failing?: CheckpointFailure
  /** When the flush in flight started (performance.now), if one is. */
  private flushStartedAt?: number
  private last = { size: -1, mtimeMs: -1 }
  private warned = false
  private readonly file: string
  /** The shortest pause between backfill rounds. */
  private readonly backfillBaseMs: number
  private readonly flushFile: (file: string) => Promise<void>
  private readonly now: () => number
  /** Bumped by `stop`: a round whose flush finishes after it does nothing. */
  private backfillChain = 0

  constructor(
    private readonly db: DB,
    dbFile: string,
    private readonly opts: WalGuardOptions,
  ) {
    this.file = `${dbFile}-wal`
    this.backfillBaseMs = opts.backfillIntervalMs ?? DEFAULT_BACKFILL_INTERVAL_MS
    const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
    this.passive = opts.checkpointPassive ?? (() => passive.get() as CheckpointRow)
    this.flushFile = opts.flushFile ?? fsyncOnThreadPool
    this.now = opts.now ?? Date.now
  }

  start(): void {
    this.stop()
    this.opts.onSize?.(this.size())
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs ?? 1000)
    this.timer.unref()
    this.autoCheckpointPages = this.db.pragma('wal_autocheckpoint', { simple: true }) as number
    this.db.pragma('wal_autocheckpoint = 0')
    this.scheduleBackfill(this.backfillBaseMs)
  }

  stop(): void {
    clearInterval(this.timer)
    clearTimeout(this.backfillTimer)
    this.backfillTimer = undefined
    this.backfillChain++
    if (this.autoCheckpointPages === undefined) return
    this.db.pragma(`wal_autocheckpoint = ${this.autoCheckpointPages}`)
    this.autoCheckpointPages = undefined
  }

  /**
   * Copies what is committed in the WAL back into the database without waiting for anyone (PASSIVE): what a
   * reader still needs stays for the next round. Public so tests can run it without waiting for the timer.
   * @returns the WAL's frames and how many of them are now in the database.
   */
  backfill(): { walFrames: number; backfilled: number } {
    try {
      // A checkpoint that could not run (another connection checkpointing) says so in `busy`: next round's.
      const row = this.passive()
      this.backfillWarned = false
      // Only pages copied and synced prove the disk works again (a round may copy nothing: a reader's pages).
      if (this.failing && !this.failing.sticky && row.busy === 0 && row.checkpointed > 0) this.failing = undefined
      return { walFrames: row.log, backfilled: row.checkpointed }
    } catch (err) {
      this.note(classifyCheckpointError(err, this.now()))
      if (!this.backfillWarned) {
        this.backfillWarned = true
        this.opts.log.warn({ err: (err as Error).message }, 'WAL backfill failed; retrying every round, logged once')
      }
      return { walFrames: -1, backfilled: -1 }
    }
  }

  /**
   * The next backfill round after `delayMs`. A round's checkpoint syncs the WAL, copies pages and syncs the
   * database, on this thread, and each fsync costs about what it has to write out (2.4 ms for 200 dirty
   * pages here, 0.06 ms for none). So the WAL is first flushed on the thread pool while the event loop goes
   * on; the checkpoint's own WAL sync then finds only the frames of the last moment. SQLite's order is kept
   * whole: its checkpoint still syncs the WAL before it copies and the database before it records the copy,
   * so the flush ahead only makes that cheaper, and a failed one changes nothing (Linux 4.16 and later
   * report a write-back error to every file still open on a local filesystem, so SQLite's own sync fails the
   * checkpoint too). A flush that does not return is reported by `tick` (see `flushHungMs`). On slow
   * storage a round can still take milliseconds, so the pause after it is 40 times the time it held the loop
   * (at most a second), which keeps the backfill to about 2.5 % of the time whatever the disk.
   */
  private scheduleBackfill(delayMs: number): void {
    const chain = this.backfillChain
    this.backfillTimer = setTimeout(() => void this.round(chain), delayMs)
    this.backfillTimer.unref()
  }

  private async round(chain: number): Promise<void> {
    let took = 0
    try {
      this.flushStartedAt = performance.now()
      await this.flushFile(this.file).catch((err: unknown) => this.warnFlush(err))
      this.flushStartedAt = undefined
      if (chain !== this.backfillChain) return
      const started = performance.now()
      this.backfill()
      took = performance.now() - started
      this.opts.onBackfillRound?.(took)
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'WAL backfill round failed; the next one runs as usual')
    } finally {
      if (chain === this.backfillChain)
        this.scheduleBackfill(Math.min(MAX_BACKFILL_INTERVAL_MS, Math.max(this.backfillBaseMs, took * 40)))
    }
  }

  /** A flush that failed: the checkpoint's own sync still runs; said once, as the speed-up is lost. */
  private warnFlush(err: unknown): void {
    if (this.flushWarned || (err as { code?: string }).code === 'ENOENT') return
    this.flushWarned = true
    this.opts.log.warn({ err: (err as Error).message }, 'WAL flush ahead of the backfill failed; logged once')
  }

  /**
   * The checkpoint failure that still stands, if any. Commits go on into the WAL meanwhile (it is not
   * synced at each commit), so only this says that committed pages are not reaching the database file: a
   * failing disk (an fsync error), a full or read-only one, or one that stopped answering. Readiness fails
   * on it. The next round that copies pages clears it, except after an I/O error (see `sticky`).
   */
  failure(): CheckpointFailure | undefined {
    return this.failing
  }

  /** A standing failure is kept (the first one says since when); a sticky one replaces a passing one. */
  private note(failure: CheckpointFailure | undefined): void {
    if (failure && (!this.failing || (failure.sticky && !this.failing.sticky))) this.failing = failure
  }

  /** The WAL file's size now; 0 when there is none. */
  size(): number {
    return this.stat().size
  }

  /** The size, and a warning when it is over `warnBytes`. */
  facts(): WalFacts {
    const walBytes = this.size()
    if (this.failing) return { walBytes, warning: checkpointFailureText(this.failing) }
    if (walBytes <= this.opts.warnBytes) return { walBytes }
    return {
      walBytes,
      warning: `the database WAL is ${mib(walBytes)} (warning above ${mib(this.opts.warnBytes)}): another process is holding a read transaction open, so SQLite cannot reuse it; end that process (a routerctl or sqlite3 left open) and it shrinks within seconds`,
    }
  }

  /** One check; public so tests and shutdown can run it without waiting for the timer. */
  tick(): void {
    const flushMs = this.flushStartedAt === undefined ? 0 : performance.now() - this.flushStartedAt
    if (flushMs > (this.opts.flushHungMs ?? 10_000)) {
      const error = `a flush of the WAL has not returned for ${Math.round(flushMs / 1000)} s`
      this.note({ kind: 'flush-hung', since: this.now(), error, sticky: false })
    }
    const now = this.stat()
    const quiet = now.size > 0 && now.size === this.last.size && now.mtimeMs === this.last.mtimeMs
    if (now.size > this.opts.limitBytes || quiet) this.checkpoint(now.size)
    const after = this.stat()
    this.last = after
    this.opts.onSize?.(after.size)
    if (after.size > this.opts.warnBytes && !this.warned) {
      this.warned = true
      this.opts.log.warn({ walBytes: after.size }, this.facts().warning ?? 'WAL over its warning size')
    } else if (after.size <= this.opts.warnBytes) this.warned = false
  }

  private checkpoint(before: number): void {
    try {
      this.db.pragma('busy_timeout = 0')
      const [row] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
      if (row?.busy === 0 && before > this.opts.limitBytes)
        this.opts.log.info({ walBytes: before }, 'WAL checkpointed and truncated')
    } catch (err) {
      // SQLITE_BUSY: a writer in another process; the next tick tries again. Anything else is worth a line.
      // An I/O error is one whichever checkpoint meets it; anything else here only delays the truncation.
      const failure = classifyCheckpointError(err, this.now())
      if (failure) {
        if (failure.sticky) this.note(failure)
        this.opts.log.warn({ err: (err as Error).message }, 'WAL checkpoint failed; trying again in a second')
      }
    } finally {
      this.db.pragma(`busy_timeout = ${this.opts.busyTimeoutMs}`)
    }
  }

  private stat(): { size: number; mtimeMs: number } {
    try {
      const s = statSync(this.file)
      return { size: s.size, mtimeMs: s.mtimeMs }
    } catch {
      return { size: 0, mtimeMs: 0 }
    }
  }
}

/** fsync on libuv's thread pool. */
export async function fsyncOnThreadPool(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
