import { afterEach, describe, expect, it } from 'vitest'
import { FULL_OPERATOR_SCOPES } from '../../../src/openclaw/settings.js'
import { startFakeGateway, type FakeGateway } from '../../../src/simulator/openclaw-fake.js'

const TOKEN = 'fake-gateway-unit-token-1234'

async function post(gw: FakeGateway, headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await fetch(`${gw.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'openclaw/default', messages: [{ role: 'user', content: 'hi' }], ...body }),
  })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

describe('the stand-in OpenClaw Gateway keeps the documented contract', () => {
  let gw: FakeGateway | undefined
  afterEach(async () => {
    await gw?.close()
    gw = undefined
  })

  it('a shared-secret bearer ignores x-openclaw-scopes and runs with the full operator set as the owner', async () => {
    gw = await startFakeGateway({ auth: { mode: 'token', token: TOKEN } })
    expect((await post(gw, { 'x-openclaw-scopes': 'operator.read' }, {})).status).toBe(401)
    const ok = await post(gw, { authorization: `Bearer ${TOKEN}`, 'x-openclaw-scopes': 'operator.write' }, {})
    expect(ok.status).toBe(200)
    expect(gw.calls.at(-1)).toMatchObject({ path: 'shared-secret', owner: true, scopes: [...FULL_OPERATOR_SCOPES] })
    // The owner may pick the backend model.
    expect(
      (await post(gw, { authorization: `Bearer ${TOKEN}`, 'x-openclaw-model': 'openai/gpt-5.4' }, {})).status,
    ).toBe(200)
  })

  it('identity-bearing callers: declared scopes honoured, owner only with operator.admin, absent header = default set', async () => {
    gw = await startFakeGateway({ auth: { mode: 'trusted-proxy' } })
    expect((await post(gw, {}, {})).text).toContain('trusted_proxy_user_missing')
    const user = { 'x-forwarded-user': 'dingtalk:s_1' }
    await post(gw, { ...user, 'x-openclaw-scopes': 'operator.read,operator.write' }, {})
    expect(gw.calls.at(-1)).toMatchObject({ status: 200, owner: false, identity: 'dingtalk:s_1' })
    await post(gw, user, {})
    expect(gw.calls.at(-1)).toMatchObject({ status: 200, owner: true, scopes: [...FULL_OPERATOR_SCOPES] })
    const readOnly = await post(gw, { ...user, 'x-openclaw-scopes': 'operator.read' }, {})
    expect(readOnly).toMatchObject({ status: 403 })
    expect(readOnly.text).toContain('missing scope: operator.write')
    expect((await post(gw, { ...user, 'x-openclaw-scopes': '' }, {})).status).toBe(403)
  })

  it('x-openclaw-model needs operator.admin (403); reserved session namespaces are refused (400)', async () => {
    gw = await startFakeGateway({ auth: { mode: 'none' } })
    const narrowed = { 'x-openclaw-scopes': 'operator.write' }
    const model = await post(gw, { ...narrowed, 'x-openclaw-model': 'openai/gpt-5.4' }, {})
    expect(model.status).toBe(403)
    expect(model.text).toContain('missing scope: operator.admin')
    expect(
      (await post(gw, { 'x-openclaw-scopes': 'operator.admin', 'x-openclaw-model': 'openai/gpt-5.4' }, {})).status,
    ).toBe(200)
    for (const key of ['subagent:x', 'cron:nightly', 'acp:1']) {
      const res = await post(gw, { ...narrowed, 'x-openclaw-session-key': key }, {})
      expect(res.status).toBe(400)
      expect(res.text).toContain('invalid_request_error')
    }
    expect((await post(gw, { ...narrowed, 'x-openclaw-session-key': 'app:thread-1' }, {})).status).toBe(200)
  })

  it('agent targets, stable sessions per user, a token cap, and SSE streaming', async () => {
    gw = await startFakeGateway({ auth: { mode: 'none' }, agents: ['ops'] })
    const h = { 'x-openclaw-scopes': 'operator.write' }
    for (const model of ['openclaw', 'openclaw/default', 'openclaw/ops', 'openclaw:ops', 'agent:ops'])
      expect((await post(gw, h, { model })).status).toBe(200)
    expect(gw.calls.map((c) => c.agentId)).toEqual(['main', 'main', 'ops', 'ops', 'ops'])
    expect((await post(gw, h, { model: 'openclaw/nobody' })).status).toBe(400)
    expect(new Set(gw.calls.slice(0, 5).map((c) => c.sessionKey)).size).toBe(5) // stateless without `user`
    await post(gw, h, { user: 'conv:1' })
    await post(gw, h, { user: 'conv:1' })
    expect(gw.calls.at(-1)!.sessionKey).toBe(gw.calls.at(-2)!.sessionKey)
    const capped = JSON.parse((await post(gw, h, { max_completion_tokens: 5 })).text)
    expect(capped.choices[0].finish_reason).toBe('length')
    expect(Buffer.byteLength(capped.choices[0].message.content)).toBeLessThanOrEqual(20)
    expect((await post(gw, h, { max_completion_tokens: 0 })).status).toBe(400)
    const streamed = await post(gw, h, { stream: true, stream_options: { include_usage: true } })
    expect(streamed.type).toBe('text/event-stream')
    const events = streamed.text.split('\n\n').filter(Boolean)
    expect(events.at(-1)).toBe('data: [DONE]')
    expect(events.length).toBeGreaterThan(4)
    expect(events.at(-2)).toContain('"usage"')
    const models = (await (await fetch(`${gw.baseUrl}/v1/models`)).json()) as { data: { id: string }[] }
    expect(models.data.map((m) => m.id)).toEqual(['openclaw', 'openclaw/default', 'openclaw/main', 'openclaw/ops'])
  })
})
