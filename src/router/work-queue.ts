import { mapRobotPayload, type InboundMessage } from '../dingtalk/message.js'
import type { InboxStore } from '../store/inbox.js'
import { FreshMessages } from './fresh-messages.js'

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
 * A message read from the inbox and not yet given out: on the page, or held back (parked) because its lane
 * (skill) has all its workers busy. It carries its parsed message while the queue holds few enough of them;
 * past that only the id, and the payload is read back from SQLite when it runs.
 */
interface Waiting {
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
  private page: Waiting[] = []
  private readonly parked = new Map<string, Waiting[]>()
  private parkedCount = 0
  private readonly busy = new Map<string, number>()
  /** False once a read found the end of the inbox, until something new is stored: no query per idle take. */
  private unread = true
  /**
   * Messages just stored, already parsed by `accept`, by sequence: the page read takes them from here instead
   * of reading the payload back and parsing it again. Bounded; past the bound a message is parsed from its
   * stored payload.
   */
  private readonly fresh: FreshMessages
  /**
   * The lane of messages just stored past the bound of `fresh`: a burst to one full lane is then parked by id
   * without reading and parsing each payload once to find its lane and once more to run it. Much larger
   * bound (a lane name per message); past it a row's lane is found from its stored payload.
   */
  private readonly freshLanes = new Map<number, string>()

  /**
   * How many parsed messages `fresh` and the parked lists may each hold: 32 pages, 4,096 with the default
   * pool, about 3.4 MB for pings (0.8 KB each, measured). Enough for a 5,000-message burst to be read back
   * from SQLite and parsed a second time only past the first 4,096, which was 5 % of the router's CPU in it.
   */
  private readonly keptParsed: number

  constructor(private readonly o: WorkQueueOptions) {
    this.keptParsed = o.pageSize * 32
    this.fresh = new FreshMessages(this.keptParsed)
  }

  /** A row was stored with this sequence; after the table emptied (prune), SQLite may start numbering again. */
  noteStored(seq: number, msg?: InboundMessage): void {
    if (seq <= this.cursor) this.cursor = seq - 1
    this.unread = true
    if (!msg) return
    if (this.fresh.add(seq, msg)) return
    if (this.freshLanes.size < this.o.pageSize * 256) this.freshLanes.set(seq, this.o.laneOf(msg))
  }

  /** The oldest message that may run now, its lane's worker taken; undefined when none may. */
  take(): Job | undefined {
    for (;;) {
      const now = this.o.now()
      const parked = this.oldestRunnableParked(now)
      const head = this.pageHead()
      if (head && (!parked || head.seq < parked.seq)) {
        this.page.shift()
        const stale = this.isStale(head, now)
        if (!stale && !this.laneFree(head.lane)) {
          this.park(head)
          continue
        }
        const job = this.withMessage(head, stale, now)
        if (job) return stale ? job : this.occupy(job)
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
    if (oldest === undefined) oldest = this.o.inbox.pendingIdsAfter(this.cursor, 1)[0]?.receivedAt
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

  private pageHead(): Waiting | undefined {
    if (this.page.length === 0 && this.unread) this.readPage()
    return this.page[0]
  }

  /**
   * Reads the next page of ids. A message stored by this process has its lane (and, the first few, its
   * parsed message) in memory; only the others, left by an earlier run, are read and parsed here.
   */
  private readPage(): void {
    const rows = this.o.inbox.pendingIdsAfter(this.cursor, this.o.pageSize)
    if (rows.length < this.o.pageSize) this.unread = false
    const now = this.o.now()
    for (const row of rows) {
      this.cursor = row.seq
      const msg = this.fresh.take(row.seq)
      const lane = this.freshLanes.get(row.seq)
      this.freshLanes.delete(row.seq)
      if (msg) this.page.push({ ...row, msg, lane: this.o.laneOf(msg) })
      else if (lane !== undefined) this.page.push({ ...row, lane })
      else {
        const read = this.readMessage(row, now)
        if (read) this.page.push({ ...row, msg: read, lane: this.o.laneOf(read) })
      }
    }
  }

  /** The message of a waiting row, read back from SQLite when it is not in memory; undefined when gone. */
  private withMessage(w: Waiting, stale: boolean, now: number): Job | undefined {
    const msg = w.msg ?? this.readMessage(w, now)
    if (!msg) return undefined
    return { seq: w.seq, msgId: w.msgId, receivedAt: w.receivedAt, lane: w.lane, msg, stale }
  }

  /** Reads and parses a pending row's payload; undefined when it was answered meanwhile or is no message. */
  private readMessage(row: { seq: number; msgId: string }, now: number): InboundMessage | undefined {
    const payload = this.o.inbox.payloadOf(row.seq)
    if (payload === undefined) return undefined
    const mapped = mapRobotPayload(payload, now)
    if (mapped.kind === 'message') return mapped.message
    this.o.onUnanswerable(row.msgId)
    return undefined
  }

  private park(w: Waiting): void {
    const { seq, msgId, receivedAt, lane } = w
    let list = this.parked.get(lane)
    if (!list) this.parked.set(lane, (list = []))
    const keep = this.parkedCount < this.keptParsed
    list.push({ seq, msgId, receivedAt, lane, msg: keep ? w.msg : undefined })
    this.parkedCount++
  }

  private oldestRunnableParked(now: number): Waiting | undefined {
    let best: Waiting | undefined
    for (const [lane, list] of this.parked) {
      const head = list[0]
      if (!head || !(this.laneFree(lane) || this.isStale(head, now))) continue
      if (!best || head.seq < best.seq) best = head
    }
    return best
  }

  /** Takes a parked message off its lane, its payload read back if needed; undefined when answered meanwhile. */
  private unpark(p: Waiting, now: number): Job | undefined {
    const list = this.parked.get(p.lane)!
    list.shift()
    this.parkedCount--
    if (list.length === 0) this.parked.delete(p.lane)
    return this.withMessage(p, this.isStale(p, now), now)
  }
}
