/** What became of one frame handed to {@link GroupCommit.add}. */
export type StoreResult = { kind: 'new'; seq: number } | { kind: 'duplicate' } | { kind: 'failed'; err: unknown }

interface Waiting<T> {
  msgId: string
  payload: string
  /** Carried to `afterCommit` with the stored sequence (the parsed message, so nobody parses it twice). */
  item: T
  done: (r: StoreResult) => void
}

/**
 * Group commit for the inbox: frames that arrive in the same turn of the event loop are written in one
 * transaction at the end of that turn (setImmediate), and each is answered after that transaction committed.
 * One commit per turn instead of one per frame is what keeps the ack fast under a burst.
 */
export class GroupCommit<T> {
  private batch: Waiting<T>[] = []

  constructor(
    private readonly write: (rows: { msgId: string; payload: string }[]) => (number | undefined)[],
    private readonly afterCommit: (stored: { seq: number; item: T }[]) => void,
  ) {}

  /** True while frames wait for this turn's transaction (and so their acks for it). */
  get pending(): boolean {
    return this.batch.length > 0
  }

  /** Queues one frame for this turn's transaction; `done` is called once it committed (or failed). */
  add(msgId: string, payload: string, item: T, done: (r: StoreResult) => void): void {
    if (this.batch.length === 0) setImmediate(this.flush)
    this.batch.push({ msgId, payload, item, done })
  }

  private readonly flush = (): void => {
    const batch = this.batch
    this.batch = []
    let seqs: (number | undefined)[]
    try {
      seqs = this.write(batch.map(({ msgId, payload }) => ({ msgId, payload })))
    } catch (err) {
      for (const w of batch) w.done({ kind: 'failed', err })
      return
    }
    const stored: { seq: number; item: T }[] = []
    batch.forEach((w, i) => {
      const seq = seqs[i]
      if (seq === undefined) {
        w.done({ kind: 'duplicate' })
        return
      }
      stored.push({ seq, item: w.item })
      w.done({ kind: 'new', seq })
    })
    if (stored.length > 0) this.afterCommit(stored)
  }
}
