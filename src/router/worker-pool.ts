import type { Job, WorkQueue } from './work-queue.js'

/**
 * A fixed number of workers taking jobs from the {@link WorkQueue}: at most `size` pipelines run at once,
 * however many messages are stored. `pump` is called whenever work may have appeared or a worker freed.
 */
export class WorkerPool {
  private running = 0
  /**
   * Called when the last running job finished, while `stop` waits for it. A count and a callback, not a Set of
   * the running promises: a long-lived Set leaves dead tables behind in V8's old generation that keep each
   * finished job alive until the next full collection (see fresh-messages.ts).
   */
  private onIdle?: () => void
  private stopped = false
  private pumpQueued = false

  constructor(
    readonly size: number,
    private readonly queue: WorkQueue,
    private readonly run: (job: Job) => Promise<void>,
    private readonly onBusy: (busy: number) => void = () => undefined,
    /**
     * While this holds, jobs are not started now but right after (setImmediate): the inbox's group commit
     * has frames waiting, and their acks go first. A pipeline started in front of them would delay every
     * ack of that commit by its own synchronous work.
     */
    private readonly deferWhile: () => boolean = () => false,
  ) {}

  /** Workers running a message right now. */
  get busy(): number {
    return this.running
  }

  /** Starts jobs on free workers until the pool is full or nothing may run. */
  pump = (): void => this.fill(false)

  /**
   * Fills the free workers, unless a commit is pending: then once more right after it (setImmediate). Only
   * once: under a flood there may be a commit pending at every turn, and the pipelines must still run.
   */
  private fill(deferredOnce: boolean): void {
    if (!deferredOnce && this.deferWhile()) {
      if (!this.pumpQueued) {
        this.pumpQueued = true
        setImmediate(() => {
          this.pumpQueued = false
          this.fill(true)
        })
      }
      return
    }
    while (!this.stopped && this.running < this.size) {
      const job = this.queue.take()
      if (!job) break
      this.running++
      void this.run(job).finally(() => {
        this.running--
        this.queue.release(job)
        this.onBusy(this.running)
        if (this.running === 0) this.onIdle?.()
        this.pump()
      })
    }
    this.onBusy(this.running)
  }

  /** Starts nothing more; resolves once the running jobs finished or `graceMs` passed. */
  async stop(graceMs: number): Promise<{ unfinished: number }> {
    this.stopped = true
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    const idle = new Promise<void>((resolve) => {
      if (this.running === 0) return resolve()
      // A second stop (a second signal) waits for the same moment as the first.
      const earlier = this.onIdle
      this.onIdle = () => {
        earlier?.()
        resolve()
      }
    })
    await Promise.race([idle, deadline])
    clearTimeout(timer)
    this.onIdle = undefined
    return { unfinished: this.running }
  }
}
