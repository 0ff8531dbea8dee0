import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { withOpenClawDemo } from '../../src/simulator/openclaw-demo.js'
import { OPENCLAW_STAND_IN_LABEL } from '../../src/simulator/openclaw-fake.js'
import { captureLogs } from '../helpers/log-capture.js'
import { fromUser } from '../helpers/openclaw.js'
import { PATIENCE } from '../helpers/patience.js'
import { type TestRouter, startTestRouter } from '../helpers/router.js'

describe('simulator mode wires a demo OpenClaw route to the local stand-in', { timeout: 3 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await r?.stop()
    await close?.()
    r = close = undefined
  }, PATIENCE)

  it('"龙虾 …" and "claw …" reach the stand-in through the ordinary skill and egress path, and help lists it', async () => {
    const demo = await withOpenClawDemo(loadConfig({}), captureLogs().handle.logger)
    close = demo.close
    r = await startTestRouter({
      configure: (c) => ({
        ...c,
        openclaw: demo.settings.openclaw,
        egress: { ...c.egress, allowHttpLoopback: demo.settings.egress.allowHttpLoopback },
      }),
    })
    const reply = await r.say(fromUser('龙虾 你好'))
    expect(reply.text).toContain(OPENCLAW_STAND_IN_LABEL)
    expect(reply.text).toContain('not as the owner')
    expect(reply.text).toContain('You said: 你好')
    expect((await r.say(fromUser('help'))).text).toContain('claw')
  })
})
