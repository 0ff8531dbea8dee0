import { expect } from 'vitest'
import { startTestRouter, waitForState, type TestRouter, type TestRouterOptions } from '../helpers/router.js'

import { PATIENCE } from '../helpers/patience.js'

export { PATIENCE }

/**
 * A fresh test router whose `say`/`command` wait up to {@link PATIENCE} for the reply.
 * @example r = await startAdminRouter(); await r.command('/status')
 */
export async function startAdminRouter(opts: TestRouterOptions = {}): Promise<TestRouter> {
  const r = await startTestRouter({ ...opts, connect: false })
  try {
    await waitForState(r.app, 'connected', PATIENCE)
  } catch (err) {
    await r.stop()
    throw err
  }
  return {
    ...r,
    say: (input, timeoutMs = PATIENCE) => r.say(input, timeoutMs),
    command: (text, operator, timeoutMs = PATIENCE) => r.command(text, operator, timeoutMs),
  }
}

/**
 * For afterEach: checks the audit chain still verifies, then always stops the router.
 * @example afterEach(async () => { await verifyAndStop(r); r = undefined })
 */
export async function verifyAndStop(r: TestRouter | undefined): Promise<void> {
  try {
    if (r) expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
  } finally {
    await r?.stop()
  }
}
