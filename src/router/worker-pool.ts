import type { Job, WorkQueue } from './work-queue.js'

/**
 * A fixed number of workers taking jobs from the {@link WorkQueue}: at most `size` pipelines run at once,
 * however many messages are stored. `pump` is called whenever work may have appeared or a worker freed.
 */
export class WorkerPool {
  private running = 0
  private readonly inFlight = new Set<Promise<void>>()
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
      const work = this.run(job).finally(() => {
        this.running--
        this.inFlight.delete(work)
        this.queue.release(job)
        this.onBusy(this.running)
        this.pump()
      })
      this.inFlight.add(work)
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
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline])
    clearTimeout(timer)
    return { unfinished: this.inFlight.size }
  }
}
