import { randomUUID } from 'node:crypto'

/** A subscription as sent to connections/open. */
export interface Subscription {
  type: string
  topic: string
}

interface Ticket {
  expiresAt: number
  subscriptions: Subscription[]
}

/**
 * Single-use connection tickets (DINGTALK.md §1): one ticket opens one connection, within the TTL.
 * @example
 * const t = tickets.issue(subs); tickets.consume(t) // subs; a second consume gives undefined
 */
export class TicketStore {
  private readonly tickets = new Map<string, Ticket>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Issue a ticket that remembers what the connection subscribed to. */
  issue(subscriptions: Subscription[]): string {
    this.sweep()
    const ticket = randomUUID()
    this.tickets.set(ticket, { expiresAt: this.now() + this.ttlMs, subscriptions })
    return ticket
  }

  /** Use a ticket up; `undefined` if unknown, already used or expired. */
  consume(ticket: string | null): Subscription[] | undefined {
    if (ticket === null) return undefined
    const t = this.tickets.get(ticket)
    if (!t) return undefined
    this.tickets.delete(ticket)
    return this.now() > t.expiresAt ? undefined : t.subscriptions
  }

  // Bounded memory for long-running dev simulators whose clients fetch tickets they never use.
  private sweep(): void {
    const now = this.now()
    for (const [k, t] of this.tickets) if (now > t.expiresAt) this.tickets.delete(k)
  }
}
