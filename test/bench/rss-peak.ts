import type { SutChild } from './child.js'

const MB = 1024 * 1024

/**
 * The highest VmRSS a child reaches while phases run, read from /proc every `everyMs` by the bench process
 * (outside the child, so sampling costs the system under test nothing).
 * @example const peak = new RssPeak(router); ...; peak.stop(); peak.maxMB
 */
export class RssPeak {
  private maxBytes = 0
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly child: SutChild,
    everyMs = 100,
  ) {
    this.sample()
    this.timer = setInterval(() => this.sample(), everyMs)
    this.timer.unref()
  }

  get maxMB(): number {
    return Math.round((this.maxBytes / MB) * 10) / 10
  }

  stop(): number {
    clearInterval(this.timer)
    this.sample()
    return this.maxMB
  }

  private sample(): void {
    try {
      this.maxBytes = Math.max(this.maxBytes, this.child.rssBytes())
    } catch {
      // The child exited; the peak so far stands.
    }
  }
}
