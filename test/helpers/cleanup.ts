import { removeDir } from './temp-dir.js'

/**
 * Runs cleanups in reverse order, each once, even when one fails.
 * @example const cleanup = new Cleanup(); afterEach(() => cleanup.run()); const r = await cleanup.router(startTestRouter())
 */
export class Cleanup {
  private readonly fns: (() => unknown)[] = []

  add<T>(value: T, fn: (value: T) => unknown): T {
    this.fns.push(() => fn(value))
    return value
  }

  /** Stops the router when the test ends, then removes its temporary folder. */
  async router<T extends { dir: string; stop(): Promise<void> }>(started: Promise<T> | T): Promise<T> {
    const r = await started
    this.add(r.dir, removeDir)
    return this.add(r, (t) => t.stop())
  }

  async run(): Promise<void> {
    const errors: unknown[] = []
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        await fn()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length > 0) throw errors[0]
  }
}
