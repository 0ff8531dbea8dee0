import type { RecordedReply, ReplyFilter } from './types.js'

/** A reply before the log numbers and timestamps it. */
export type NewReply = Omit<RecordedReply, 'seq' | 'at'>

/** True when `r` passes every given field of `f`. */
function matches(r: RecordedReply, f: ReplyFilter): boolean {
  return (
    (f.msgId === undefined || r.msgId === f.msgId) &&
    (f.conversationId === undefined || r.conversationId === f.conversationId) &&
    (f.afterSeq === undefined || r.seq > f.afterSeq) &&
    (f.predicate === undefined || f.predicate(r))
  )
}

/**
 * Everything the bot sent, in order, with waiters for what has not arrived yet.
 * @example
 * const r = await log.waitFor({ msgId }, 5_000)
 */
export class ReplyLog {
  readonly replies: RecordedReply[] = []
  private readonly listeners = new Set<(r: RecordedReply) => void>()
  private readonly cancels = new Set<(err: Error) => void>()
  private seq = 0

  /** `keep` false: replies are numbered and announced but not stored (SimulatorOptions.recordReplies). */
  constructor(
    private readonly now: () => number,
    private readonly onReply: (r: RecordedReply) => void,
    private readonly keep = true,
  ) {}

  /** Number, timestamp and store a reply, then tell whoever waits. */
  record(reply: NewReply): RecordedReply {
    const r: RecordedReply = { seq: ++this.seq, ...reply, at: this.now() }
    if (this.keep) this.replies.push(r)
    this.onReply(r)
    for (const l of [...this.listeners]) l(r)
    return r
  }

  /** Call `fn` for every future reply; returns the unsubscribe function. */
  subscribe(fn: (r: RecordedReply) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** The first reply matching `filter`, already recorded or future. */
  waitFor(filter: ReplyFilter, timeoutMs = 10_000): Promise<RecordedReply> {
    const found = this.replies.find((r) => matches(r, filter))
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        unsubscribe()
        this.cancels.delete(cancel)
      }
      const cancel = (err: Error): void => {
        done()
        reject(err)
      }
      const unsubscribe = this.subscribe((r) => {
        if (!matches(r, filter)) return
        done()
        resolve(r)
      })
      const timer = setTimeout(() => {
        const { predicate, ...shown } = filter
        cancel(
          new Error(
            `waitForReply: no reply matching ${JSON.stringify(shown)}${predicate ? ' (+predicate)' : ''} ` +
              `within ${timeoutMs} ms; ${this.replies.length} replies recorded`,
          ),
        )
      }, timeoutMs)
      this.cancels.add(cancel)
    })
  }

  /** Reject every pending waiter (the simulator is stopping). */
  close(): void {
    for (const c of [...this.cancels]) c(new Error('waitForReply: simulator stopped'))
  }
}
