/**
 * Shared pieces of the security suite: a router whose every test ends with the
 * same checks (the audit chain verifies, nothing escaped as an uncaught error, the router still answers),
 * and state snapshots (the counting server that catches requests never to be made: loopback-server.ts).
 */
import { expect } from 'vitest'
import { NO_MATCH_REPLY } from './english-texts.js'
import { internalErrorLines, startChaosRouter, trapProcessErrors } from './chaos.js'
import { Cleanup } from './cleanup.js'
import { PATIENCE } from './patience.js'
import type { TestRouter, TestRouterOptions } from './router.js'
import { waitIdle } from './waits.js'

/** The router plus its end-of-test checks; call `finish()` from afterEach. */
export class SecurityHarness {
  readonly cleanup = new Cleanup()
  private routers: TestRouter[] = []
  private trap?: ReturnType<typeof trapProcessErrors>

  async router(opts: TestRouterOptions = {}): Promise<TestRouter> {
    this.trap ??= this.cleanup.add(trapProcessErrors(), (t) => t.stop())
    const r = await this.cleanup.router(startChaosRouter({ router: opts }))
    this.routers.push(r)
    return r
  }

  /** Every router still answers, has contained everything, and its audit chain verifies; then all is stopped. */
  async finish(): Promise<void> {
    try {
      for (const r of this.routers) {
        if (r.app.stream.state === 'stopped') continue
        // Not `ping`: some tests turn it off on purpose. Text no skill matches is answered whatever the flags.
        expect((await r.say({ text: 'are you still there?', senderStaffId: 'user7' }, PATIENCE)).text).toBe(
          NO_MATCH_REPLY,
        )
        await waitIdle(r)
        expect(internalErrorLines(r)).toEqual([])
        expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
      }
      expect(this.trap?.stop() ?? []).toEqual([])
    } finally {
      this.routers = []
      this.trap = undefined
      await this.cleanup.run()
    }
  }
}

/** What an attack must not change: the runtime state version and flags, and the open approval requests. */
export function controlState(r: TestRouter) {
  const { state, approvals, now } = r.app.services
  const current = state.current()
  return { version: current.version, state: current.state, pending: approvals.pending(now()).map((a) => a.id) }
}
