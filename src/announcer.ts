import type { Logger } from './logger.js'
import type { OpenApiClient } from './dingtalk/openapi.js'
import type { EventStore } from './store/events.js'
import { OUTBOX_RETRY, outboxRetryDelayMs, type OutboxEntry, type OutboxStore } from './store/outbox.js'
import { errorMessage } from './errors.js'
import { shortHead, type AuditHead } from './store/audit.js'
import { isoSeconds } from './time-text.js'

// Sends the outbox's notices to every admin conversation, whichever process wrote them.

export interface AnnouncerOptions {
  outbox: OutboxStore
  /** Where failed and given-up notices are recorded as `announcer/*` error events (/diag reads them). */
  events: Pick<EventStore, 'record'>
  openapi: Pick<OpenApiClient, 'sendToGroup'> | undefined
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

/** A notice that failed at least once: when it is due again, and the conversations that already have it. */
interface Retry {
  retryAt: number
  deliveredTo: Set<string>
}

/**
 * Sends outbox notices (routerctl changes, incident mode, approvals, alerts) to every admin conversation.
 * Polling the table is what lets another process, such as routerctl over SSH, reach the chat. Each notice
 * ends with the audit head at sending time, so a truncated chain no longer contains a head the admin
 * conversations have seen (`routerctl audit verify --expect-head <seq>:<hash>`). A notice the OpenAPI
 * refuses backs off on the schedule of {@link OUTBOX_RETRY} and is given up only after about a day of
 * refusals; every failure and the give-up are error events, and /status counts what is unsent.
 */
export class Announcer {
  private timer?: NodeJS.Timeout
  private current?: Promise<number>
  private stopping = false
  /**
   * Kept in memory, beside the attempt count in the table: after a restart each waiting notice is tried once
   * at once and then backs off from its stored count, and a conversation that already had it may get it again.
   */
  private readonly retries = new Map<number, Retry>()

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
      const now = this.opts.now()
      const backingOff = [...this.retries].filter(([, r]) => r.retryAt > now).map(([id]) => id)
      for (const entry of this.opts.outbox.due(backingOff)) {
        if (this.stopping) break
        const deliveredTo = this.retries.get(entry.id)?.deliveredTo ?? new Set<string>()
        try {
          await this.deliver(entry, deliveredTo)
          this.opts.outbox.sent(entry.id, this.opts.now())
          this.retries.delete(entry.id)
          sent++
          // The end of a run of "will retry" lines: whoever read those sees that the notice got through.
          if (entry.attempts > 0)
            this.opts.log.info(
              { outboxId: entry.id, attempts: entry.attempts },
              'announced a notice after failed attempts',
            )
        } catch (err) {
          this.failed(entry, deliveredTo, errorMessage(err))
        }
      }
    } catch (err) {
      // Runs from a timer: a database error here must be logged, never left as an unhandled rejection.
      this.opts.log.error({ err: errorMessage(err) }, 'announcer could not read or update the outbox')
    }
    return sent
  }

  /** Posts the notice to each admin conversation that does not have it yet; throws at the first refusal. */
  private async deliver(entry: OutboxEntry, deliveredTo: Set<string>): Promise<void> {
    const { openapi } = this.opts
    if (!openapi) return
    // A notice that arrives late says when it was written: "incident mode ON" hours later is not news.
    const n = entry.attempts
    const late =
      n > 0
        ? `— written ${isoSeconds(entry.createdAt)}; sent late, after ${n} failed attempt${n === 1 ? '' : 's'}\n\n`
        : ''
    const markdown = `${entry.text}\n\n${late}— audit head ${shortHead(this.opts.head())}`
    for (const cid of this.opts.adminConversations) {
      if (deliveredTo.has(cid)) continue
      await openapi.sendToGroup(cid, { title: this.opts.title, markdown })
      deliveredTo.add(cid)
    }
  }

  /** Counts the failed attempt, then either schedules the next one or gives the notice up, saying which. */
  private failed(entry: OutboxEntry, deliveredTo: Set<string>, err: string): void {
    const { outbox, log, events } = this.opts
    const now = this.opts.now()
    const attempts = outbox.failed(entry.id, err)
    const sample = `outbox #${entry.id} (attempt ${attempts}): ${entry.text.slice(0, 200)}`
    if (attempts >= OUTBOX_RETRY.maxAttempts) {
      this.retries.delete(entry.id)
      log.error(
        { err, outboxId: entry.id, attempts },
        'gave up announcing to the admin conversations; the notice stays undelivered in the outbox (see /status)',
      )
      events.record(
        { route: 'announcer', code: 'notice-gave-up', message: `gave up after ${attempts} attempts: ${err}`, sample },
        now,
      )
      return
    }
    const delayMs = outboxRetryDelayMs(attempts)
    this.retries.set(entry.id, { retryAt: now + delayMs, deliveredTo })
    log.warn(
      { err, outboxId: entry.id, attempts, retryInSeconds: delayMs / 1000 },
      'could not announce to the admin conversations; will retry',
    )
    events.record({ route: 'announcer', code: 'notice-failed', message: err, sample }, now)
  }
}
