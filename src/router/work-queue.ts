import { mapRobotPayload, type InboundMessage } from '../dingtalk/message.js'
import type { InboxStore } from '../store/inbox.js'

/** One message a worker may run now. `stale` ones waited past the maximum age and get the short answer. */
export interface Job {
  seq: number
  msgId: string
  receivedAt: number
  msg: InboundMessage
  lane: string
  stale: boolean
}

/**
 * A message held back because its lane (skill) has all its workers busy. The first few keep their parsed
 * message; past that only the id is held and the payload is read back from SQLite when it runs.
 */
interface Parked {
  seq: number
  msgId: string
  receivedAt: number
  lane: string
  msg?: InboundMessage
}

export interface WorkQueueOptions {
  inbox: InboxStore
  /** Which bulkhead a message belongs to: its skill, `commands`, or `other`. */
  laneOf: (msg: InboundMessage) => string
  /** Workers one lane may hold at once. */
  laneLimit: number
  /** A message older than this (ms since it was stored) is taken as stale, whatever its lane. */
  maxAgeMs: number
  /** Rows read from the inbox at a time: what the queue holds in memory besides the parked ids. */
  pageSize: number
  now: () => number
  /** A stored row that is no longer a message to answer (unparsable, or the robot's own): completed at once. */
  onUnanswerable: (msgId: string) => void
}

/** The queue's shape for /status and /metrics. */
export interface QueueFacts {
  depth: number
  oldestWaitSeconds: number
}

/**
 * The inbox read as a queue: pending rows in arrival order, a page at a time from SQLite, so memory does not
 * grow with a burst. Each lane (skill) may hold at most `laneLimit` workers; a message whose lane is full is
 * parked (id only) and runs when a worker of its lane frees, so a hung skill keeps its share and no more.
 */
export class WorkQueue {
  /** The highest arrival sequence read from the inbox so far. */
  private cursor = 0
  private page: Job[] = []
  private readonly parked = new Map<string, Parked[]>()
  private parkedCount = 0
  private readonly busy = new Map<string, number>()
  /** False once a read found the end of the inbox, until something new is stored: no query per idle take. */
  private unread = true
  /**
   * Messages just stored, already parsed by `accept`, by sequence: the page read takes them from here instead
   * of parsing the payload again. Bounded; past the bound a message is parsed from its stored payload.
   */
  private readonly fresh = new Map<number, InboundMessage>()

  constructor(private readonly o: WorkQueueOptions) {}

  /** A row was stored with this sequence; after the table emptied (prune), SQLite may start numbering again. */
  noteStored(seq: number, msg?: InboundMessage): void {
    if (seq <= this.cursor) this.cursor = seq - 1
    this.unread = true
    if (msg && this.fresh.size < this.o.pageSize * 4) this.fresh.set(seq, msg)
  }

  /** The oldest message that may run now, its lane's worker taken; undefined when none may. */
  take(): Job | undefined {
    for (;;) {
      const now = this.o.now()
      const parked = this.oldestRunnableParked(now)
      const head = this.pageHead()
      if (head && (!parked || head.seq < parked.seq)) {
        this.page.shift()
        if (this.isStale(head, now)) return { ...head, stale: true }
        if (this.laneFree(head.lane)) return this.occupy(head)
        this.park(head)
        continue
      }
      if (!parked) return undefined
      const job = this.unpark(parked, now)
      if (job) return job.stale ? job : this.occupy(job)
    }
  }

  /** Gives back the lane worker a job held (call once per job from {@link take}). */
  release(job: Job): void {
    if (job.stale) return
    const n = (this.busy.get(job.lane) ?? 1) - 1
    if (n > 0) this.busy.set(job.lane, n)
    else this.busy.delete(job.lane)
  }

  /** Messages stored and not yet started, and how long the oldest of them has waited. */
  facts(): QueueFacts {
    const now = this.o.now()
    let oldest = this.page[0]?.receivedAt
    for (const list of this.parked.values()) {
      const at = list[0]?.receivedAt
      if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at
    }
    if (oldest === undefined) oldest = this.o.inbox.pendingAfter(this.cursor, 1)[0]?.receivedAt
    return {
      depth: this.page.length + this.parkedCount + this.o.inbox.countPendingAfter(this.cursor),
      oldestWaitSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
    }
  }

  private isStale(p: { receivedAt: number }, now: number): boolean {
    return now - p.receivedAt > this.o.maxAgeMs
  }

  private laneFree(lane: string): boolean {
    return (this.busy.get(lane) ?? 0) < this.o.laneLimit
  }

  private occupy(job: Job): Job {
    this.busy.set(job.lane, (this.busy.get(job.lane) ?? 0) + 1)
    return job
  }

  private pageHead(): Job | undefined {
    if (this.page.length === 0 && this.unread) this.readPage()
    return this.page[0]
  }

  private readPage(): void {
    const rows = this.o.inbox.pendingAfter(this.cursor, this.o.pageSize)
    if (rows.length < this.o.pageSize) this.unread = false
    const now = this.o.now()
    for (const row of rows) {
      this.cursor = row.seq
      const cached = this.fresh.get(row.seq)
      this.fresh.delete(row.seq)
      const mapped = cached ? { kind: 'message' as const, message: cached } : mapRobotPayload(row.payload, now)
      if (mapped.kind !== 'message') {
        this.o.onUnanswerable(row.msgId)
        continue
      }
      const msg = mapped.message
      this.page.push({
        seq: row.seq,
        msgId: row.msgId,
        receivedAt: row.receivedAt,
        msg,
        lane: this.o.laneOf(msg),
        stale: false,
      })
    }
  }

  private park(job: Job): void {
    const { seq, msgId, receivedAt, lane } = job
    let list = this.parked.get(lane)
    if (!list) this.parked.set(lane, (list = []))
    const keep = this.parkedCount < this.o.pageSize * 4
    list.push({ seq, msgId, receivedAt, lane, msg: keep ? job.msg : undefined })
    this.parkedCount++
  }

  private oldestRunnableParked(now: number): Parked | undefined {
    let best: Parked | undefined
    for (const [lane, list] of this.parked) {
      const head = list[0]
      if (!head || !(this.laneFree(lane) || this.isStale(head, now))) continue
      if (!best || head.seq < best.seq) best = head
    }
    return best
  }

  /** Takes a parked message off its lane and reads its payload back; undefined when it was answered meanwhile. */
  private unpark(p: Parked, now: number): Job | undefined {
    const list = this.parked.get(p.lane)!
    list.shift()
    this.parkedCount--
    if (list.length === 0) this.parked.delete(p.lane)
    if (p.msg)
      return {
        seq: p.seq,
        msgId: p.msgId,
        receivedAt: p.receivedAt,
        lane: p.lane,
        msg: p.msg,
        stale: this.isStale(p, now),
      }
    const payload = this.o.inbox.payloadOf(p.seq)
    if (payload === undefined) return undefined
    const mapped = mapRobotPayload(payload, now)
    if (mapped.kind !== 'message') {
      this.o.onUnanswerable(p.msgId)
      return undefined
    }
    return { ...p, msg: mapped.message, stale: this.isStale(p, now) }
  }
}
