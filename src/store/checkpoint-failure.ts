// What a failing WAL checkpoint means for readiness. At `synchronous = NORMAL` commits are not synced one by
// one, so the checkpoint is where a disk that drops writes, fills up or turns read-only shows first.

/** Why checkpoints fail, as far as the error says. */
export type CheckpointFailureKind = 'io' | 'full' | 'read-only' | 'corrupt' | 'flush-hung' | 'other'

/** A checkpoint failure that still stands. */
export interface CheckpointFailure {
  kind: CheckpointFailureKind
  since: number
  error: string
  /**
   * Cleared only by a restart. After an I/O error on write or sync, Linux marks the pages clean, so a later
   * sync that succeeds proves nothing about what was written before it: a person has to look.
   */
  sticky: boolean
}

/**
 * Classifies a checkpoint's error; undefined for one that says nothing about the disk: another connection
 * holding the lock (any SQLITE_BUSY, the next round tries again), or this connection used wrongly
 * (SQLITE_LOCKED inside its own transaction, better-sqlite3's "connection is busy").
 */
export function classifyCheckpointError(err: unknown, since: number): CheckpointFailure | undefined {
  const code = String((err as { code?: unknown }).code ?? '')
  const error = (err as Error).message
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return undefined
  if (err instanceof TypeError) return undefined
  const kind: CheckpointFailureKind = code.startsWith('SQLITE_IOERR')
    ? 'io'
    : code === 'SQLITE_FULL'
      ? 'full'
      : code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')
        ? 'read-only'
        : code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
          ? 'corrupt'
          : 'other'
  return { kind, since, error, sticky: kind === 'io' }
}

const ADVICE: Record<CheckpointFailureKind, string> = {
  io: 'the disk failed a write or a sync, so data written before it may not be on disk; check the kernel log (dmesg) and the disk, then restart the router, which clears this',
  full: 'the disk is full; free space on the volume that holds data/ and this clears after the next good checkpoint',
  'read-only':
    'the database files are not writable by the router; check the owner and mode of data/ and its router.db-wal and router.db-shm (uid 10001)',
  corrupt:
    'the database file is damaged; restore it from the Litestream replica as docs/RUNBOOK.md says under "The host is gone"',
  'flush-hung':
    'the disk has stopped answering (a flush of the WAL has not returned); check the disk and the kernel log',
  other: 'check the disk (space, I/O errors in the kernel log) and the router log',
}

/** One sentence for `/ready`, `/status` and the log: what fails, since when, and what to check. */
export function checkpointFailureText(f: CheckpointFailure): string {
  return `committed data is not reaching the database file: the WAL checkpoint fails (${f.error}) since ${new Date(f.since).toISOString()}; ${ADVICE[f.kind]}`
}
