import { closeSync, openSync, readSync } from 'node:fs'
import { endianness } from 'node:os'

// The WAL index (the database's `-shm` file) as SQLite documents it in "WAL-mode File Format" §2.1
// (sqlite.org/walformat.html): two copies of a 48-byte header, then the checkpoint info. SQLite maps the
// file into memory; a plain read sees the same pages. Its integers are in the host's byte order.

const HEADER_BYTES = 48
const MX_FRAME_OFFSET = 16
const N_BACKFILL_OFFSET = 2 * HEADER_BYTES
/** Both header copies and nBackfill: everything that says where the WAL stands. */
const READ_BYTES = N_BACKFILL_OFFSET + 4

/** Where the WAL stands: its last committed frame, and how many frames are copied back into the database. */
export interface WalPosition {
  mxFrame: number
  nBackfill: number
  /** The header and nBackfill as read, to tell whether anything changed between two reads. */
  bytes: Buffer
}

/** Reads the WAL position from the `-shm` file; one open file, two small reads per call. */
export class WalIndexReader {
  private fd?: number
  private readonly buf = Buffer.alloc(READ_BYTES)
  private readonly little = endianness() === 'LE'

  constructor(private readonly shmFile: string) {}

  /**
   * The position now, or undefined when it cannot be trusted: no `-shm` file yet, or the two header copies
   * differ (a writer is between them, and SQLite itself would read again).
   */
  read(): WalPosition | undefined {
    try {
      this.fd ??= openSync(this.shmFile, 'r')
      if (readSync(this.fd, this.buf, 0, READ_BYTES, 0) < READ_BYTES) return undefined
    } catch {
      this.close()
      return undefined
    }
    if (!this.buf.subarray(0, HEADER_BYTES).equals(this.buf.subarray(HEADER_BYTES, 2 * HEADER_BYTES))) return undefined
    const u32 = (offset: number) => (this.little ? this.buf.readUInt32LE(offset) : this.buf.readUInt32BE(offset))
    return { mxFrame: u32(MX_FRAME_OFFSET), nBackfill: u32(N_BACKFILL_OFFSET), bytes: Buffer.from(this.buf) }
  }

  close(): void {
    if (this.fd === undefined) return
    try {
      closeSync(this.fd)
    } catch {
      // Already gone; nothing to release.
    }
    this.fd = undefined
  }
}
