import type { Logger } from './logger.js'
import type { OpenApiClient } from './dingtalk/openapi.js'
import type { OutboxStore } from './store/outbox.js'
import { errorMessage } from './errors.js'

export interface AnnouncerOptions {
  outbox: OutboxStore
  openapi: OpenApiClient | undefined
  adminConversations: string[]
  log: Logger
  now: () => number
  isConnected: () => boolean
  intervalMs?: number
}

/**
 * Sends outbox notices (routerctl changes, incident mode, approvals, alerts) to every admin conversation.
 * Polling the table is what lets another process, such as routerctl over SSH, reach the chat.
 */
export class Announcer {
  private timer?: NodeJS.Timeout
  private running = false

  constructor(private readonly opts: AnnouncerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs ?? 500)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Sends what is due now; one flush at a time. */
  async flush(): Promise<number> {
    if (this.running || !this.opts.isConnected()) return 0
    this.running = true
    let sent = 0
    try {
      for (const entry of this.opts.outbox.due()) {
        try {
          if (this.opts.openapi) {
            for (const cid of this.opts.adminConversations) {
              await this.opts.openapi.sendToGroup(cid, { title: 'Router notice', markdown: entry.text })
            }
          }
          this.opts.outbox.sent(entry.id, this.opts.now())
          sent++
        } catch (err) {
          this.opts.log.warn({ err: errorMessage(err), outboxId: entry.id }, 'could not announce to the admin conversations; will retry')
          this.opts.outbox.failed(entry.id, errorMessage(err))
        }
      }
    } finally {
      this.running = false
    }
    return sent
  }
}
