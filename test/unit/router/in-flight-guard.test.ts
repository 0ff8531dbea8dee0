import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inFlightGuard } from '../../../src/router/in-flight-guard.js'
import { middlewareHarness } from '../../helpers/pipeline-context.js'

// inFlightGuard() on its own, with a real Context: one process never runs the same message twice at once
// (a resumed message racing its redelivery). History is the inbox's job; this step only knows what is in flight.

let h: ReturnType<typeof middlewareHarness>
beforeEach(() => {
  h = middlewareHarness()
})
afterEach(() => h.close())

/** A rest of the pipeline that holds it until the test releases it, and says when it started. */
function holdingPipeline() {
  let release!: () => void
  let started!: () => void
  const running = new Promise<void>((resolve) => {
    started = resolve
  })
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  return { rest: async () => (started(), await gate), running, release: () => release() }
}

describe('inFlightGuard', () => {
  it('refuses a second run of a message while the first is in flight, as a duplicate with no reply', async () => {
    const step = inFlightGuard()
    const msg = h.message('ping')
    const first = holdingPipeline()
    const firstRun = h.run(step, h.context(msg), first.rest)
    await first.running
    const second = h.context(msg)
    expect(await h.run(step, second)).toEqual({ calledNext: false })
    expect(second.outcome).toBe('duplicate')
    first.release()
    expect((await firstRun).calledNext).toBe(true)
    expect(h.replies.sent).toEqual([])
  })

  it('runs other messages alongside', async () => {
    const step = inFlightGuard()
    const first = holdingPipeline()
    const firstRun = h.run(step, h.context('ping'), first.rest)
    await first.running
    expect((await h.run(step, h.context('ping'))).calledNext).toBe(true)
    first.release()
    await firstRun
  })

  it('forgets the message once its run ended, even when the run threw', async () => {
    const step = inFlightGuard()
    const msg = h.message('ping')
    await expect(
      h.run(step, h.context(msg), () => {
        throw new Error('skill blew up')
      }),
    ).rejects.toThrow('skill blew up')
    expect((await h.run(step, h.context(msg))).calledNext).toBe(true)
  })
})
