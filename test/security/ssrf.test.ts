import { afterEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { PATIENCE } from '../helpers/patience.js'
import { TEST_SECRETS } from '../helpers/router.js'
import { countingServer } from '../helpers/loopback-server.js'
import { SecurityHarness } from '../helpers/security.js'

// The sessionWebhook comes from the payload, so it is attacker-controlled: the router must POST only to an
// allowlisted host. Every variant below points at something else (cloud metadata, another local port, a
// look-alike host) and must be refused before any request is made. A counting server on loopback stands in
// for every internal target; it must see nothing. (reply-delivery covers the plain other-port case and
// test/unit/dingtalk/reply.test.ts the URL rules; this is the attacker's list, end to end.)

const h = new SecurityHarness()
afterEach(() => h.finish(), PATIENCE)

/** Secret-looking session values: none may reach a log line (the suite-wide scan checks that too). */
const SESSION = 'ssrfSessionValue7c41'

describe('security: SSRF through the sessionWebhook', { timeout: 5 * PATIENCE }, () => {
  it('refuses every non-allowlisted or disguised webhook; no request reaches the trap', async () => {
    const sim = h.cleanup.add(
      new DingTalkSimulator({ clientId: TEST_SECRETS.clientId, clientSecret: TEST_SECRETS.clientSecret }),
      (s) => s.stop(),
    )
    await sim.start()
    const trap = await countingServer(h.cleanup)
    // An allowlisted host that redirects to the trap: a redirect must not be followed.
    const redirector = await countingServer(h.cleanup, (_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${trap.port}/followed?session=${SESSION}` })
      res.end()
    })
    const T = trap.port
    const S = sim.webhookHost
    const r = await h.router({
      sim,
      env: { DINGTALK_WEBHOOK_HOSTS: `${S},oapi.dingtalk.com,127.0.0.1:${redirector.port}` },
    })

    const refused = [
      `http://169.254.169.254/latest/meta-data/iam/security-credentials/?session=${SESSION}`,
      `http://[fd00:ec2::254]/latest/meta-data/?session=${SESSION}`,
      `http://metadata.google.internal/computeMetadata/v1/?session=${SESSION}`,
      `http://127.0.0.1:${T}/robot/sendBySession?session=${SESSION}`,
      `http://localhost:${T}/robot/sendBySession?session=${SESSION}`,
      `http://[::1]:${T}/robot/sendBySession?session=${SESSION}`,
      `http://127.1:${T}/x?session=${SESSION}`,
      `http://2130706433:${T}/x?session=${SESSION}`,
      `http://0x7f000001:${T}/x?session=${SESSION}`,
      `http://0177.0.0.1:${T}/x?session=${SESSION}`,
      `http://%31%32%37.0.0.1:${T}/x?session=${SESSION}`,
      `http://127.0.0.1.:${T}/x?session=${SESSION}`,
      `http://[::ffff:127.0.0.1]:${T}/x?session=${SESSION}`,
      `HTTP://127.0.0.1:${T}/x?session=${SESSION}`,
      `https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=${SESSION}`,
      `https://OAPI.DINGTALK.COM.EVIL.EXAMPLE/robot/sendBySession?session=${SESSION}`,
      `https://oapi.dingtalk.com./robot/sendBySession?session=${SESSION}`,
      `https://oapi.dingtalk.com:8443/robot/sendBySession?session=${SESSION}`,
      `https://oapi.dingtalk.com@127.0.0.1:${T}/robot/sendBySession?session=${SESSION}`,
      `https://oapi.dingtalk.com:443@127.0.0.1:${T}/x?session=${SESSION}`,
      `http://${S}@127.0.0.1:${T}/robot/sendBySession?session=${SESSION}`,
      `http://user:pass@${S}/robot/sendBySession?session=${SESSION}`,
      `http://127.0.0.1:${T}\\@${S}/robot/sendBySession?session=${SESSION}`,
      `https://evil.example/?u=https://oapi.dingtalk.com/&session=${SESSION}`,
      `http://oapi.dingtalk.com/robot/sendBySession?session=${SESSION}`,
      `ws://${S}/robot/sendBySession?session=${SESSION}`,
      `ftp://127.0.0.1:${T}/x`,
      'file:///etc/passwd',
      'data:text/plain,hello',
      'javascript:alert(1)',
      `//127.0.0.1:${T}/x?session=${SESSION}`,
      `127.0.0.1:${T}/x`,
      '',
    ]
    const refusalLog = 'refused to reply: sessionWebhook host is not in DINGTALK_WEBHOOK_HOSTS'
    const ids: string[] = []
    for (const [i, webhook] of refused.entries()) {
      const sent = sim.sendMessage({ text: 'ping', senderStaffId: `user${i % 5}`, extra: { sessionWebhook: webhook } })
      ids.push(sent.msgId)
    }
    // The empty one is not a payload the router accepts at all: it is dropped as invalid, also refused.
    const waits = refused.map((webhook, i) =>
      webhook === ''
        ? r.logs.waitFor(
            (l) =>
              l.msg === 'dropped a robot callback with an invalid payload' &&
              String(l.problems).includes('sessionWebhook'),
            PATIENCE,
          )
        : r.logs.waitFor((l) => l.msg === refusalLog && l.msgId === ids[i], PATIENCE),
    )
    await Promise.all(waits)

    // The redirect variant: allowlisted, so it is POSTed; the redirect is an error, not followed.
    const viaRedirect = sim.sendMessage({
      text: 'ping',
      extra: { sessionWebhook: `http://127.0.0.1:${redirector.port}/robot/sendBySession?session=${SESSION}` },
    })
    await r.logs.waitFor((l) => l.msg === 'reply not delivered' && l.msgId === viaRedirect.msgId, PATIENCE)

    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    expect(trap.hits(), trap.paths.join(', ')).toBe(0)
    expect(redirector.hits()).toBe(1)
    for (const id of [...ids, viaRedirect.msgId]) expect(sim.replies.filter((x) => x.msgId === id)).toEqual([])
    // Each refusal is also an error event operators see in /diag, naming the host but never the session.
    const events = r.app.services.events.list({ route: 'ping', limit: 500 })
    expect(events.filter((e) => e.code === 'webhook-refused').reduce((n, e) => n + e.count, 0)).toBe(refused.length - 1)
    expect(JSON.stringify(events)).not.toContain(SESSION)
    expect(r.logs.lines.join('\n')).not.toContain(SESSION)
  })
})
