import { describe, expect, it } from 'vitest'
import { mapRobotPayload } from '../../../src/dingtalk/message.js'
import { GroupCommit } from '../../../src/router/group-commit.js'
import { WorkerPool } from '../../../src/router/worker-pool.js'
import { WorkQueue, type Job } from '../../../src/router/work-queue.js'
import { migrate, openDatabase } from '../../../src/store/db.js'
import { InboxStore } from '../../../src/store/inbox.js'
import { UsageStore } from '../../../src/store/usage.js'

// The pool starts no pipeline while the inbox's group commit has frames waiting: their acks go first, and a
// pipeline started in front of them would delay every ack of that commit by its own synchronous work. It
// waits one turn at most, so a flood cannot hold the pipelines back.

function payload(msgId: string): string {
  return JSON.stringify({
    msgId,
    msgtype: 'text',
    text: { content: 'ping' },
    conversationId: 'cid-1',
    conversationType: '1',
    senderId: 'sender-1',
    senderStaffId: 'u1',
    chatbotUserId: 'bot',
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
    createAt: 1_000_000,
  })
}

/** A work queue over an in-memory inbox holding these messages (parsed in memory, as `accept` leaves them). */
function storedQueue(msgIds: string[]): WorkQueue {
  const db = openDatabase(':memory:')
  migrate(db)
  const inbox = new InboxStore(db, new UsageStore(db))
  const queue = new WorkQueue({
    inbox,
    laneOf: () => 'ping',
    laneLimit: 8,
    maxAgeMs: 60_000,
    pageSize: 8,
    now: () => 1_000_000,
    onUnanswerable: () => undefined,
  })
  const rows = msgIds.map((msgId) => ({ msgId, payload: payload(msgId) }))
  inbox.receiveBatch(rows, 1_000_000).forEach((seq, i) => {
    const mapped = mapRobotPayload(rows[i]!.payload, 1_000_000)
    if (seq !== undefined && mapped.kind === 'message') queue.noteStored(seq, mapped.message)
  })
  return queue
}

function setup() {
  const queue = storedQueue(['m1', 'm2', 'm3'])
  // What happened, in order: pipelines started and commits written.
  const events: string[] = []
  const commits = new GroupCommit<null>(
    (batch) => {
      events.push(`commit ${batch.map((r) => r.msgId).join(',')}`)
      return batch.map(() => undefined)
    },
    () => undefined,
  )
  const pool = new WorkerPool(
    4,
    queue,
    async (job: Job) => void events.push(`start ${job.msgId}`),
    () => undefined,
    () => commits.pending,
  )
  /** A frame arriving: queued for this turn's commit, as `accept` does. */
  const frameArrives = (msgId: string) => commits.add(msgId, '{}', null, () => undefined)
  return { pool, events, frameArrives }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('WorkerPool behind a pending group commit', () => {
  it('starts its pipelines after the commit of frames that arrived before it pumped', async () => {
    const { pool, events, frameArrives } = setup()
    frameArrives('f1')
    pool.pump()
    expect(events).toEqual([])
    await nextTurn()
    expect(events).toEqual(['commit f1', 'start m1', 'start m2', 'start m3'])
  })

  it('waits one turn at most: under a flood with a commit pending at every turn the pipelines still run', async () => {
    const { pool, events, frameArrives } = setup()
    frameArrives('f1')
    // Another frame arrives after that commit and before the deferred pump's turn: a commit is pending again.
    setImmediate(() => frameArrives('f2'))
    pool.pump()
    await nextTurn()
    await nextTurn()
    expect(events).toEqual(['commit f1', 'start m1', 'start m2', 'start m3', 'commit f2'])
  })

  it('starts at once when no commit is pending', () => {
    const { pool, events } = setup()
    pool.pump()
    expect(events).toEqual(['start m1', 'start m2', 'start m3'])
  })
})

describe('WorkerPool.stop', () => {
  /** A pool whose jobs finish when the test says so. */
  function held() {
    const queue = storedQueue(['m1', 'm2'])
    const finish: (() => void)[] = []
    const pool = new WorkerPool(4, queue, () => new Promise<void>((resolve) => finish.push(resolve)))
    pool.pump()
    return { pool, finish }
  }

  it('resolves once the running jobs finished, every caller of it', async () => {
    const { pool, finish } = held()
    expect(pool.busy).toBe(2)
    const first = pool.stop(60_000)
    const second = pool.stop(60_000)
    for (const f of finish) f()
    expect(await first).toEqual({ unfinished: 0 })
    expect(await second).toEqual({ unfinished: 0 })
  })

  it('gives up after the grace period and says how many are still running', async () => {
    const { pool, finish } = held()
    finish[0]!()
    expect(await pool.stop(20)).toEqual({ unfinished: 1 })
  })
})
