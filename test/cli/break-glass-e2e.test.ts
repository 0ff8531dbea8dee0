import { dirname } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { OPS, startTestRouter, TEST_SECRETS, type TestRouter } from '../helpers/router.js'
import { cliEnv, routerctl, sudoActor } from '../helpers/routerctl.js'

describe('routerctl against a running bot', { timeout: 180_000 }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await r?.stop()
  })

  it('disable-skill over SSH: the bot refuses ping within a second and announces it to the admin conversation', async () => {
    r = await startTestRouter()
    expect((await r.say('ping')).text).toBe('pong')

    const env = cliEnv(dirname(r.dbPath), {
      ROUTER_DB: r.dbPath,
      ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
      SUDO_USER: 'erin',
    })
    // Asynchronous spawn: the bot in this process keeps serving while routerctl writes the same file.
    const cli = await routerctl(['disable-skill', 'ping', '--reason', 'test'], env)
    const changedAt = Date.now()
    expect(cli.code, cli.stderr).toBe(0)

    // The bot reads the state version on every message, so the first ping should already be refused;
    // allow a few short retries within the contract's one second before calling it a failure.
    let reply = await r.say('ping')
    for (let attempt = 1; !/turned off/.test(reply.text) && Date.now() - changedAt < 1000 && attempt < 5; attempt++) {
      await new Promise((done) => setTimeout(done, 200))
      reply = await r.say('ping')
    }
    expect(reply.text).toMatch(/"ping" is turned off/)

    const notice = await r.sim.waitForReply({ conversationId: OPS, predicate: (x) => x.kind === 'group' }, 20_000)
    expect(notice.text).toContain(`Skill **ping** turned OFF by ${sudoActor('erin')} via routerctl (break-glass): test`)
    // Every announcement carries the audit head at sending time: a copy outside the host's database.
    const head = r.app.services.audit.head()
    expect(notice.text).toMatch(/— audit head \d+:[0-9a-f]{12}$/)
    const [, seq, hash] = /audit head (\d+):([0-9a-f]{12})$/.exec(notice.text)!
    expect(Number(seq)).toBeLessThanOrEqual(head.seq)
    expect(r.app.services.audit.checkHead(Number(seq), hash!)).toBe('present')
  })
})
