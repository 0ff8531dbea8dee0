import type { Connection } from './gateway.js'

// The simulator's robot CALLBACK delivery: queued while no connection takes it, acked, resent when due.

interface Tracked {
  messageId: string
  msgId: string
  data: string
  redeliveries: number
  ackedAt?: number
  timer?: NodeJS.Timeout
}

/** Settings and the gateway seam of {@link Deliveries}. */
export interface DeliveriesDeps {
  redeliveryDelayMs: number
  redeliveryCount: number
  now: () => number
  /** The connection to deliver to now, if any. */
  target(): Connection | undefined
  send(conn: Connection, messageId: string, data: string): void
}

/**
 * Robot CALLBACK delivery: queue while no connection can take it, track the ack, and send the same frame
 * again after a delay while un-acked (DINGTALK.md §2, "Redelivery").
 * @example
 * deliveries.submit(msgId, messageId, JSON.stringify(payload)); deliveries.flush() // on a new connection
 */
export class Deliveries {
  private readonly byMessageId = new Map<string, Tracked>()
  private readonly sendsByMsgId = new Map<string, number>()
  private queue: Tracked[] = []

  constructor(private readonly deps: DeliveriesDeps) {}

  /** Track a new CALLBACK and deliver it now or as soon as a connection can take it. */
  submit(msgId: string, messageId: string, data: string): void {
    const t: Tracked = { messageId, msgId, data, redeliveries: 0 }
    this.byMessageId.set(messageId, t)
    this.attempt(t)
  }

  private attempt(t: Tracked): void {
    const conn = this.deps.target()
    if (!conn) {
      this.queue.push(t)
      return
    }
    this.deps.send(conn, t.messageId, t.data)
    this.sendsByMsgId.set(t.msgId, (this.sendsByMsgId.get(t.msgId) ?? 0) + 1)
    if (t.redeliveries >= this.deps.redeliveryCount) return
    clearTimeout(t.timer)
    t.timer = setTimeout(() => {
      t.timer = undefined
      if (t.ackedAt !== undefined) return
      t.redeliveries++
      this.attempt(t)
    }, this.deps.redeliveryDelayMs)
  }

  /** Deliver what waited for a connection, oldest first. */
  flush(): void {
    const waiting = this.queue
    this.queue = []
    for (const t of waiting) if (t.ackedAt === undefined) this.attempt(t)
  }

  /** Record an ack; returns false for a messageId the simulator never sent. */
  ack(messageId: string): boolean {
    const t = this.byMessageId.get(messageId)
    if (!t) return false
    t.ackedAt ??= this.deps.now()
    // An acked frame is never sent again (attempt and flush skip acked ones): free its payload.
    t.data = ''
    clearTimeout(t.timer)
    t.timer = undefined
    return true
  }

  ackedAt(messageId: string): number | undefined {
    return this.byMessageId.get(messageId)?.ackedAt
  }

  /** How many times a frame carrying this inbound msgId went out on a socket. */
  sends(msgId: string): number {
    return this.sendsByMsgId.get(msgId) ?? 0
  }

  get queued(): number {
    return this.queue.length
  }

  close(): void {
    for (const t of this.byMessageId.values()) clearTimeout(t.timer)
    this.queue = []
  }
}
