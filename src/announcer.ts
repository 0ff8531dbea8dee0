import type { Logger } from './logger.js'
import type { OpenApiClient } from './dingtalk/openapi.js'
import type { OutboxStore } from './store/outbox.js'
import { errorMessage } from './errors.js'
import { shortHead, type AuditHead } from './store/audit.js'

// Sends the outbox's notices to every admin conversation, whichever process wrote them.

export interface AnnouncerOptions {
  outbox: OutboxStore
  openapi: OpenApiClient | undefined
  adminConversations: string[]
  log: Logger
  now: () => number
  isConnected: () => boolean
  /** The audit chain's current head: every notice carries it, a copy an attacker on the host cannot rewrite. */
  head: () => AuditHead
  /** The notice title the phone shows, in the admin group's language; the `audit head <seq>:<hash>` line stays literal. */
  title: string
  intervalMs?: number
}

/**
 * Sends outbox notices (routerctl changes, incident mode, approvals, alerts) to every admin conversation.
 * Polling the table is what lets another process, such as routerctl over SSH, reach the chat. Each notice
 * ends with the audit head at sending time, so a truncated chain no longer contains a head the admin
 * conversations have seen (`routerctl audit verify --expect-head <seq>:<hash>`).
 */
export class Announcer {
  private timer?: NodeJS.Timeout
  private current?: Promise<number>
  private stopping = false

  constructor(private readonly opts: AnnouncerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs ?? 500)
    this.timer.unref()
  }

  /** Stops polling and waits for a flush in flight, so it never writes to a database that is being closed. */
  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.timer)
    await this.current
  }

  /** Sends what is due now; one flush at a time. */
  flush(): Promise<number> {
    if (this.current || !this.opts.isConnected()) return Promise.resolve(0)
    this.current = this.send().finally(() => {
      this.current = undefined
    })
    return this.current
  }

  private async send(): Promise<number> {
    let sent = 0
    try {
      for (const entry of this.opts.outbox.due()) {
        if (this.stopping) break
        try {
          if (this.opts.openapi) {
            const markdown = `${entry.text}\n\n— audit head ${shortHead(this.opts.head())}`
            for (const cid of this.opts.adminConversations) {
              await this.opts.openapi.sendToGroup(cid, { title: this.opts.title, markdown })
            }
          }
          this.opts.outbox.sent(entry.id, this.opts.now())
          sent++
        } catch (err) {
          this.opts.log.warn(
            { err: errorMessage(err), outboxId: entry.id },
            'could not announce to the admin conversations; will retry',
          )
          this.opts.outbox.failed(entry.id, errorMessage(err))
        }
      }
    } catch (err) {
      // Runs from a timer: a database error here must be logged, never left as an unhandled rejection.
      this.opts.log.error({ err: errorMessage(err) }, 'announcer could not read or update the outbox')
    }
    return sent
  }
}
