import { describe, expect, it } from 'vitest'
import { mapRobotPayload } from '../../../src/dingtalk/message.js'
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

function setup() {
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
  const rows = ['m1', 'm2', 'm3'].map((msgId) => ({ msgId, payload: payload(msgId) }))
  inbox.receiveBatch(rows, 1_000_000).forEach((seq, i) => {
    const mapped = mapRobotPayload(rows[i]!.payload, 1_000_000)
    if (seq !== undefined && mapped.kind === 'message') queue.noteStored(seq, mapped.message)
  })
  const started: string[] = []
  const state = { commitPending: true }
  const pool = new WorkerPool(
    4,
    queue,
    async (job: Job) => void started.push(job.msgId),
    () => undefined,
    () => state.commitPending,
  )
  return { pool, started, state }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('WorkerPool behind a pending group commit', () => {
  it('starts nothing while a commit is pending, and everything right after it', async () => {
    const { pool, started, state } = setup()
    pool.pump()
    expect(started).toEqual([])
    state.commitPending = false // the commit ran in this turn
    await nextTurn()
    expect(started).toEqual(['m1', 'm2', 'm3'])
  })

  it('waits one turn at most: under a flood with a commit pending at every turn the pipelines still run', async () => {
    const { pool, started } = setup()
    pool.pump()
    expect(started).toEqual([])
    await nextTurn()
    expect(started).toEqual(['m1', 'm2', 'm3'])
  })

  it('starts at once when no commit is pending', () => {
    const { pool, started, state } = setup()
    state.commitPending = false
    pool.pump()
    expect(started).toEqual(['m1', 'm2', 'm3'])
  })
})
