/**
 * One call's time budget, shared by every redirect hop and the body read, so a chain of slow hops
 * cannot add up to more than the caller asked for.
 * @example
 * const deadline = new Deadline(3000)
 * try { await fetch(url, { signal: deadline.signal }) } finally { deadline.clear() }
 */
export class Deadline {
  readonly signal: AbortSignal
  private readonly timer: NodeJS.Timeout

  constructor(readonly ms: number) {
    const controller = new AbortController()
    this.signal = controller.signal
    this.timer = setTimeout(() => controller.abort(new DOMException(`egress deadline of ${ms} ms`, 'TimeoutError')), ms)
  }

  /** Only the timer aborts this signal, so aborted means out of time. */
  get expired(): boolean {
    return this.signal.aborted
  }

  clear(): void {
    clearTimeout(this.timer)
  }
}
