import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { InboundMessage } from '../../../src/dingtalk/message.js'
import { FreshMessages } from '../../../src/router/fresh-messages.js'

// The work queue's ring of just-parsed messages must give back exactly what a Map keyed by sequence would,
// for any order of stores and page reads the queue makes: stores in sequence order, reads in sequence order.

const msg = (seq: number) => ({ msgId: `m${seq}` }) as InboundMessage

describe('FreshMessages', () => {
  it('gives each message back once, for its own sequence', () => {
    const ring = new FreshMessages(4)
    for (const seq of [1, 2, 3]) expect(ring.add(seq, msg(seq))).toBe(true)
    expect(ring.take(1)?.msgId).toBe('m1')
    expect(ring.take(1)).toBeUndefined()
    expect(ring.take(3)?.msgId).toBe('m3')
    // 2 was not on the page (answered meanwhile): released when a later sequence was read.
    expect(ring.size).toBe(0)
  })

  it('refuses past its capacity, and takes again once read', () => {
    const ring = new FreshMessages(2)
    expect(ring.add(1, msg(1))).toBe(true)
    expect(ring.add(2, msg(2))).toBe(true)
    expect(ring.add(3, msg(3))).toBe(false)
    expect(ring.take(1)?.msgId).toBe('m1')
    expect(ring.add(4, msg(4))).toBe(true)
    expect(ring.take(3)).toBeUndefined()
    expect(ring.take(4)?.msgId).toBe('m4')
  })

  it('drops what it holds when SQLite numbers rows again', () => {
    const ring = new FreshMessages(4)
    ring.add(7, msg(7))
    ring.add(8, msg(8))
    ring.add(1, msg(1))
    expect(ring.size).toBe(1)
    // The queue reads from the new numbering on; 7 and 8, if still pending, are parsed from SQLite.
    expect(ring.take(1)?.msgId).toBe('m1')
    expect(ring.take(7)).toBeUndefined()
    expect(ring.size).toBe(0)
  })

  it('answers like a Map for any interleaving of stores and in-order reads', () => {
    const ops = fc.array(fc.oneof(fc.constant('store' as const), fc.integer({ min: 1, max: 4 })), { maxLength: 300 })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), ops, (capacity, plan) => {
        const ring = new FreshMessages(capacity)
        const map = new Map<number, InboundMessage>()
        let stored = 0
        let read = 0
        for (const op of plan) {
          if (op === 'store') {
            stored++
            const kept = map.size < capacity
            expect(ring.add(stored, msg(stored))).toBe(kept)
            if (kept) map.set(stored, msg(stored))
            continue
          }
          // A page read: the next sequences, some of them skipped (rows answered meanwhile).
          for (let i = 0; i < op && read < stored; i++) {
            read += 1 + (read % 3 === 2 ? 1 : 0)
            if (read > stored) read = stored
            for (const seq of [...map.keys()]) if (seq < read) map.delete(seq)
            expect(ring.take(read)?.msgId).toBe(map.get(read)?.msgId)
            map.delete(read)
            expect(ring.size).toBe(map.size)
          }
        }
      }),
    )
  })
})
