import { describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../../../src/store/db.js'
import { InboxStore } from '../../../src/store/inbox.js'
import { UsageStore } from '../../../src/store/usage.js'
import { WorkQueue } from '../../../src/router/work-queue.js'
import { mapRobotPayload, type InboundMessage } from '../../../src/dingtalk/message.js'

/** The real inbox, counting how often a payload is read back from SQLite. */
class CountingInbox extends InboxStore {
  readsBySeq = new Map<number, number>()
  override payloadOf(seq: number): string | undefined {
    this.readsBySeq.set(seq, (this.readsBySeq.get(seq) ?? 0) + 1)
    return super.payloadOf(seq)
  }
}

function payload(msgId: string, text: string): string {
  return JSON.stringify({
    msgId,
    msgtype: 'text',
    text: { content: text },
    conversationId: 'cid-1',
    conversationType: '1',
    senderId: 'sender-1',
    senderStaffId: 'u1',
    senderNick: 'u',
    chatbotUserId: 'bot',
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
    sessionWebhookExpiredTime: Date.now() + 3_600_000,
    createAt: Date.now(),
  })
}

function setup(limit = 1, maxAgeMs = 60_000) {
  const db = openDatabase(':memory:')
  migrate(db)
  const inbox = new CountingInbox(db, new UsageStore(db))
  let clock = 1_000_000
  const queue = new WorkQueue({
    inbox,
    laneOf: (m) => m.text.split(' ')[0]!,
    laneLimit: limit,
    maxAgeMs,
    pageSize: 2,
    now: () => clock,
    onUnanswerable: (id) => inbox.complete(id, clock),
  })
  let n = 0
  /** Stores messages as a restart finds them: no parsed message in memory. */
  const store = (...texts: string[]) => storeWith(false, texts)
  /** Stores messages as `accept` does: the parsed message handed to the queue with its sequence. */
  const accept = (...texts: string[]) => storeWith(true, texts)
  const storeWith = (parsed: boolean, texts: string[]) => {
    const rows = texts.map((t) => {
      const msgId = `m${++n}`
      return { msgId, payload: payload(msgId, t) }
    })
    const seqs = inbox.receiveBatch(rows, clock)
    seqs.forEach((seq, i) => {
      if (seq === undefined) return
      const mapped = mapRobotPayload(rows[i]!.payload, clock)
      const msg: InboundMessage | undefined = mapped.kind === 'message' ? mapped.message : undefined
      queue.noteStored(seq, parsed ? msg : undefined)
    })
  }
  return { queue, store, accept, inbox, advance: (ms: number) => (clock += ms) }
}

describe('WorkQueue', () => {
  it('gives out stored messages in arrival order, across pages', () => {
    const { queue, store } = setup(10)
    store('a 1', 'a 2', 'a 3', 'a 4', 'a 5')
    const taken = [1, 2, 3, 4, 5].map(() => queue.take()?.msg.text)
    expect(taken).toEqual(['a 1', 'a 2', 'a 3', 'a 4', 'a 5'])
    expect(queue.take()).toBeUndefined()
  })

  it('holds a lane at its limit and lets other lanes pass; the held one runs first once its lane frees', () => {
    const { queue, store } = setup(1)
    store('slow 1', 'slow 2', 'ping 1', 'ping 2')
    const first = queue.take()!
    expect(first.msg.text).toBe('slow 1')
    expect(queue.take()?.msg.text).toBe('ping 1')
    expect(queue.facts().depth).toBe(2)
    queue.release(first)
    expect(queue.take()?.msg.text).toBe('slow 2')
  })

  it('marks a message that waited past the maximum age as stale, even when its lane is full', () => {
    const { queue, store, advance } = setup(1, 60_000)
    store('slow 1', 'slow 2')
    expect(queue.take()?.stale).toBe(false)
    expect(queue.take()).toBeUndefined()
    advance(61_000)
    expect(queue.facts().oldestWaitSeconds).toBeGreaterThanOrEqual(61)
    expect(queue.take()).toMatchObject({ stale: true })
  })

  it('completes a stored row that is not a message to answer, and moves on', () => {
    const { queue, inbox } = setup(5)
    const [seq] = inbox.receiveBatch([{ msgId: 'broken', payload: '{"not":"a message"}' }], 1)
    queue.noteStored(seq!)
    expect(queue.take()).toBeUndefined()
    expect(inbox.pending()).toEqual([])
  })

  it('reads the payload of a message stored by this process at most once, however long it waited in a full lane', () => {
    const { queue, accept, inbox } = setup(1)
    // More than the queue keeps parsed (32 pages of 2 in fresh, as many parked).
    const texts = Array.from({ length: 200 }, (_, i) => `slow ${i + 1}`)
    accept(...texts, 'ping 1')
    const first = queue.take()!
    // The lane is full: the rest of the burst is parked, the other lane's message still passes.
    expect(queue.take()?.msg.text).toBe('ping 1')
    const taken = [first.msg.text]
    let job = first
    for (let i = 1; i < texts.length; i++) {
      queue.release(job)
      job = queue.take()!
      taken.push(job.msg.text)
    }
    expect(taken).toEqual(texts)
    // The first few are kept parsed; the others were parked by id and read back once, when they ran.
    expect(Math.max(...inbox.readsBySeq.values())).toBe(1)
    expect(inbox.readsBySeq.size).toBeGreaterThan(0)
    expect(inbox.readsBySeq.size).toBeLessThan(texts.length)
  })
})
