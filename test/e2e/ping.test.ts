import { afterEach, describe, expect, it } from 'vitest'
import { startTestRouter, type TestRouter } from '../helpers/router.js'

describe('ping through the real SDK and the simulator', () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await r?.stop()
  })

  it('answers ping with pong', async () => {
    r = await startTestRouter()
    const reply = await r.say('ping')
    expect(reply.text).toBe('pong')
    expect(reply.kind).toBe('webhook')
  })
})
