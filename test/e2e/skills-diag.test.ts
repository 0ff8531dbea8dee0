import { afterEach, describe, expect, it } from 'vitest'
import { OP1, startTestRouter, type TestRouter, withoutMentions } from '../helpers/router.js'
import { waitUntil } from '../helpers/waits.js'
import { auditedUpdate } from '../helpers/state.js'
import { PATIENCE } from '../helpers/patience.js'

const bytes = (text: string) => Buffer.byteLength(text, 'utf8')

describe('/diag: short diagnostics, never logs', () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await r?.stop()
    r = undefined
  })

  it('stays under its cap in UTF-8 bytes with thousands of error events stored', async () => {
    r = await startTestRouter({
      configure: (c) => ({
        ...c,
        budgets: { ...c.budgets, routes: { ...c.budgets.routes, 'route-3': { maxDiagnosticBytes: 700 } } },
      }),
    })
    const { events, audit } = r.app.services
    const now = Date.now()
    // Multi-byte messages on purpose: the cap is bytes, and a character count would overshoot it.
    audit.transaction(() => {
      for (let i = 0; i < 5000; i++) {
        events.record(
          {
            route: `route-${i % 7}`,
            code: `code-${i}`,
            message: `上游服务超时 ${i}: ${'细节'.repeat(40)}`,
            sample: `LOG-LINE-${i} ${'x'.repeat(600)}`,
          },
          now - i * 1000,
        )
      }
    })

    const all = await r.command('/diag', OP1, PATIENCE)
    expect(bytes(withoutMentions(all))).toBeLessThanOrEqual(2048)
    expect(all.text).toMatch(/5,000 kinds of error/)
    expect(withoutMentions(all)).toMatch(/…and 4,9\d\d kinds of error more not shown\. \/diag <route> narrows it\.$/)
    // Newest first, with route, code, count and when.
    expect(all.text).toMatch(/- route-0 · code-0 ×1 \(last (just now|\d+s ago), first/)
    expect(all.text).not.toContain('LOG-LINE')

    const narrow = await r.command('/diag route-3', OP1, PATIENCE)
    expect(bytes(withoutMentions(narrow))).toBeLessThanOrEqual(700)
    expect(narrow.text).toMatch(/route route-3\*\*: 714 kinds of error/)
    expect(withoutMentions(narrow)).toMatch(/more not shown\.$/)

    // A runtime override (set by /budget or routerctl) wins over the config.
    auditedUpdate(r.app.services, 'test', 'tighter diag budget', (d) => {
      d.budgets['route-3'] = { maxDiagnosticBytes: 300 }
    })
    expect(bytes(withoutMentions(await r.command('/diag route-3', OP1, PATIENCE)))).toBeLessThanOrEqual(300)
    // Even a budget too small for the header is honoured.
    auditedUpdate(r.app.services, 'test', 'absurd budget', (d) => {
      d.budgets['route-5'] = { maxDiagnosticBytes: 40 }
    })
    expect(bytes(withoutMentions(await r.command('/diag route-5', OP1, PATIENCE)))).toBeLessThanOrEqual(40)
  })

  it('records a refused reply host as an event, and shows a route with its sample', async () => {
    r = await startTestRouter()
    const { sim } = r
    // A sessionWebhook on a host outside DINGTALK_WEBHOOK_HOSTS: the reply is refused and recorded.
    sim.sendMessage({
      text: 'ping',
      extra: { sessionWebhook: 'https://evil.example/robot/sendBySession?session=SECRET123' },
    })
    await waitUntil(
      () => r!.app.services.events.list({ route: 'ping' }).length > 0,
      PATIENCE,
      'the refused reply is recorded',
    )
    // Under the route the reply answered, not a route of its own.
    const [event] = r.app.services.events.list({ route: 'ping' })
    expect(event).toMatchObject({ code: 'webhook-refused', count: 1 })
    expect(event!.message).toContain('evil.example')
    expect(JSON.stringify(event)).not.toContain('SECRET123')

    const reply = await r.command('/diag ping', OP1, PATIENCE)
    expect(reply.text).toMatch(
      /- webhook-refused ×1 \(last .*\): sessionWebhook host evil\.example is not in DINGTALK_WEBHOOK_HOSTS/,
    )
    expect(reply.text).toMatch(/Newest sample \(redacted\): msgId \S+ in one-to-one cid-dm-user1/)
    expect(withoutMentions(await r.command('/diag nowhere', OP1, PATIENCE))).toBe(
      'No error events stored for route nowhere.',
    )
  })
})
