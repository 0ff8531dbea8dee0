import { describe, expect, it } from 'vitest'
import { configSchema } from '../../../src/config-schema.js'
import { identityKeys } from '../../../src/openclaw/identity.js'
import { gatewayRequest, runsAsOwner, turnMessages } from '../../../src/openclaw/request.js'

const routeOf = (r: Record<string, unknown>) =>
  configSchema.parse({
    openclaw: { gatewayToken: 'tok-12345678', routes: { claw: { baseUrl: 'https://gw.example:18789/', ...r } } },
  }).openclaw.routes.claw!

const ids = identityKeys(Buffer.from('unit-test-audit-key-123456'))
const turn = (generation = 0, raw = false) =>
  ids.turn({ route: 'claw', conversationId: 'cid-1', senderId: 'staff-7', generation, raw })

describe('what the router sends to the Gateway', () => {
  it('identity-bearing modes declare narrowed scopes and never a bearer; only the shared-secret modes send one', () => {
    const id = turn()
    const proxy = gatewayRequest(routeOf({ auth: { forwardedFor: '10.0.0.7' } }), { id, messages: [] })
    expect(proxy.url).toBe('https://gw.example:18789/v1/chat/completions')
    expect(proxy.headers).toEqual({
      'x-openclaw-message-channel': 'dingtalk',
      'x-openclaw-scopes': 'operator.read,operator.write',
      'x-forwarded-user': `dingtalk:${id.sender}`,
      'x-forwarded-for': '10.0.0.7',
      'x-dingtalk-sender-id': id.sender,
      'x-dingtalk-conversation-id': id.conversation,
    })
    const none = gatewayRequest(routeOf({ auth: { mode: 'none' } }), { id, messages: [], secret: 'ignored-secret' })
    expect(none.headers.authorization).toBeUndefined()
    expect(none.headers['x-forwarded-user']).toBeUndefined()
    expect(none.headers['x-openclaw-scopes']).toBe('operator.read,operator.write')
    const owner = routeOf({ auth: { mode: 'token' }, access: 'admin-conversations', ownerAccess: 'acknowledged' })
    const token = gatewayRequest(owner, { id, messages: [], secret: 'tok-12345678' })
    expect(token.headers.authorization).toBe('Bearer tok-12345678')
    expect(token.headers['x-openclaw-scopes']).toBeUndefined() // the Gateway would ignore it anyway
    expect(() => gatewayRequest(owner, { id, messages: [] })).toThrow('without its secret')
    expect([runsAsOwner(routeOf({})), runsAsOwner(owner)]).toEqual([false, true])
    expect(proxy.body).toMatchObject({ model: 'openclaw/default', user: id.user, max_completion_tokens: 800 })
    expect(gatewayRequest(routeOf({ agentId: 'ops', stream: false }), { id, messages: [] }).body).toEqual({
      model: 'openclaw/ops',
      user: id.user,
      messages: [],
      max_completion_tokens: 800,
      stream: false,
    })
  })

  it('references are keyed hashes, stable per conversation and sender, new per generation; raw ids only on request', () => {
    expect(turn()).toEqual(turn())
    expect(turn(1).user).not.toBe(turn(0).user)
    expect(turn(1).sender).toBe(turn(0).sender)
    const other = ids.turn({ route: 'claw', conversationId: 'cid-2', senderId: 'staff-7', generation: 0, raw: false })
    expect(other.user).not.toBe(turn().user)
    expect(JSON.stringify(turn())).not.toMatch(/staff-7|cid-1/)
    expect(identityKeys(Buffer.from('another-audit-key-000000')).turn({ ...turnInput(), raw: false }).user).not.toBe(
      turn().user,
    )
    expect(turn(2, true)).toEqual({ sender: 'staff-7', conversation: 'cid-1', user: 'dingtalk:claw:cid-1:staff-7:2' })
    expect(turnMessages(turn(), 'group', '你好', false)[1]).toEqual({ role: 'user', content: '你好' })
  })
})

function turnInput() {
  return { route: 'claw', conversationId: 'cid-1', senderId: 'staff-7', generation: 0 }
}
