import { describe, expect, it } from 'vitest'
import type { Context } from '../../../src/context.js'
import { inFlightGuard } from '../../../src/router/in-flight-guard.js'

/** Only what the guard reads and writes: the message id and the outcome. */
function contextFor(msgId: string): Context {
  return { msg: { msgId }, outcome: 'pending' } as unknown as Context
}

describe('inFlightGuard', () => {
  it('drops a second run of a message while the first is running, then lets it through again', async () => {
    const guard = inFlightGuard()
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const ran: string[] = []
    const first = contextFor('m-1')
    const running = guard(first, async () => {
      ran.push('first')
      await held
    })

    const second = contextFor('m-1')
    await guard(second, async () => {
      ran.push('second')
    })
    expect(second.outcome).toBe('duplicate')

    const other = contextFor('m-2')
    await guard(other, async () => {
      ran.push('other')
    })
    expect(other.outcome).toBe('pending')

    release()
    await running
    const later = contextFor('m-1')
    await guard(later, async () => {
      ran.push('later')
    })
    expect(ran).toEqual(['first', 'other', 'later'])
    expect(later.outcome).toBe('pending')
  })

  it('releases the message when the rest of the pipeline throws', async () => {
    const guard = inFlightGuard()
    await expect(
      guard(contextFor('m-1'), async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    let ran = false
    await guard(contextFor('m-1'), async () => {
      ran = true
    })
    expect(ran).toBe(true)
  })
})
