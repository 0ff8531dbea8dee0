import { afterEach, describe, expect, it } from 'vitest'
import { CONVERSATION_HEADER, SENDER_HEADER } from '../../src/openclaw/request.js'
import { startFakeGateway, type FakeGateway } from '../../src/simulator/openclaw-fake.js'
import { AI_TEMPLATE } from '../helpers/cards.js'
import {
  CHAT_A,
  CHAT_B,
  fromUser,
  GATEWAY_TOKEN,
  startOpenClawRouter,
  trustedProxyGateway,
  USER,
} from '../helpers/openclaw.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OPS, type TestRouter, withoutMentions, verifyAndStop } from '../helpers/router.js'

const END_USER_ROUTE = { agentId: 'ops', triggers: ['claw', '龙虾'], maxCompletionTokens: 300 }

describe('OpenClaw routes: identity the agent can trust, no owner by accident', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let gw: FakeGateway | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    await gw?.close()
    r = gw = undefined
  }, PATIENCE)

  it.each([
    ['an English', 'claw what is failing in checkout?'],
    ['a Chinese', '龙虾 今天支付服务为什么报错？'],
  ])('%s message from an end user reaches the agent with narrowed scopes and no owner semantics', async (_, text) => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: END_USER_ROUTE } })
    const reply = await r.say(fromUser(text))

    expect(gw.calls).toHaveLength(1)
    const call = gw.calls[0]!
    // What the Gateway made of it: the identity path, the declared scopes, no operator.admin, not the owner.
    expect(call).toMatchObject({ status: 200, path: 'identity', owner: false, agentId: 'ops', channel: 'dingtalk' })
    expect(call.scopes).toEqual(['operator.read', 'operator.write'])
    expect(call.headers.authorization).toBeUndefined()
    expect(call.headers['x-openclaw-model']).toBeUndefined()
    expect(call.headers['x-openclaw-scopes']).toBe('operator.read,operator.write')
    // The sender and the conversation travel as keyed references; the raw staffId never leaves the router.
    const sender = call.headers[SENDER_HEADER] as string
    expect(sender).toMatch(/^s_[0-9a-f]{24}$/)
    expect(call.headers[CONVERSATION_HEADER]).toMatch(/^c_[0-9a-f]{24}$/)
    expect(call.identity).toBe(`dingtalk:${sender}`)
    expect(JSON.stringify({ headers: call.headers, body: call.body })).not.toContain(USER.staffId)
    expect(JSON.stringify(call.body)).not.toContain(CHAT_A)
    expect(call.body).toMatchObject({ model: 'openclaw/ops', max_completion_tokens: 300, stream: true })
    expect(call.body.user).toMatch(/^dingtalk:claw:[0-9a-f]{32}$/)
    const question = text.replace(/^\S+\s+/, '')
    const messages = call.body.messages as { role: string; content: string }[]
    expect(messages.at(-1)).toEqual({ role: 'user', content: question })
    // The agent itself reads who is asking: the same references, and that it is not the owner.
    expect(messages[0]!.content).toBe(
      `DingTalk group message relayed by the ops router. Sender: ${sender} (not the Gateway owner). Conversation: ${call.headers[CONVERSATION_HEADER] as string}.`,
    )
    // The answer comes back as one markdown reply, streamed from the agent.
    expect(reply.text).toContain('not as the owner')
    expect(reply.text).toContain(`You said: ${question}`)
  })

  it('a quoted message travels with the turn, cut to a quarter of the budget', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: { ...END_USER_ROUTE, budget: { maxContextTokens: 400 } } } })
    const quote = 'payments-db pool exhausted at 10:41'
    await r.say({ ...fromUser('龙虾 这是什么意思？'), quote: { text: quote, shape: 'content' } })
    await r.say({ ...fromUser('claw and this?'), quote: { text: '错误 '.repeat(300) } })
    const prompts = gw.calls.map((c) => (c.body.messages as { content: string }[]).at(-1)!.content)
    expect(prompts[0]).toBe(`The user quotes this earlier message:\n"""\n${quote}\n"""\n\n这是什么意思？`)
    // 400 tokens → at most 100 bytes of quote, marked as cut; the question itself is whole.
    expect(prompts[1]).toMatch(/ \[…\]\n"""\n\nand this\?$/)
    expect(Buffer.byteLength(prompts[1]!)).toBeLessThan(200)
  })

  it('streams the agent answer into the AI card when one is configured, then nothing more as a message', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, {
      routes: { claw: END_USER_ROUTE },
      configure: (c) => ({ ...c, cards: { ...c.cards, streamingTemplateId: AI_TEMPLATE, streamingIntervalMs: 0 } }),
    })
    const sent = r.sim.sendMessage(fromUser('龙虾 今天的告警'))
    const card = await r.sim.waitForCard((c) => c.templateId === AI_TEMPLATE && c.finalized, PATIENCE)
    await r.sim.waitForCard((c) => c.outTrackId === card.outTrackId && c.params.flowStatus === '3', PATIENCE)
    expect(gw.calls[0]!.body.stream).toBe(true)
    expect(card.params.content).toContain('not as the owner')
    expect(card.params.content).toContain('You said: 今天的告警')
    // The text grew in the card before it was finalized (the stand-in streams 16 characters at a time).
    expect(card.streaming.filter((u) => !u.isFinalize).length).toBeGreaterThan(0)
    expect(r.sim.replies.filter((m) => m.msgId === sent.msgId)).toEqual([])
  })

  it('an operator-only route answers in the admin group and is refused elsewhere, with zero calls', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, {
      routes: { 'ops-claw': { agentId: 'ops', access: 'admin-conversations', triggers: ['opsclaw'] } },
    })
    const ok = await r.say({
      text: 'opsclaw summarize the last deploy',
      senderStaffId: OP1.staffId,
      conversationId: OPS,
    })
    expect(ok.text).toContain('You said: summarize the last deploy')
    expect(gw.calls).toHaveLength(1)
    expect(gw.calls[0]).toMatchObject({ owner: false, scopes: ['operator.read', 'operator.write'] })

    // The operator elsewhere, and an end user in the admin group: refused before anything is sent.
    const elsewhere = await r.say({ text: 'opsclaw hello', senderStaffId: OP1.staffId, conversationId: CHAT_B })
    expect(withoutMentions(elsewhere)).toBe('Sorry, "ops-claw" is not available in this conversation.')
    const user = await r.say({ text: 'opsclaw hello', senderStaffId: USER.staffId, conversationId: OPS })
    expect(withoutMentions(user)).toBe('Sorry, "ops-claw" is limited to specific people.')
    expect(gw.calls).toHaveLength(1)
  })

  it('a shared-token route acknowledged for operators in the admin group sends the token and runs as the owner', async () => {
    gw = await startFakeTokenGateway()
    r = await startOpenClawRouter(gw, {
      routes: {
        'owner-claw': {
          agentId: 'main',
          access: 'admin-conversations',
          auth: { mode: 'token' },
          ownerAccess: 'acknowledged',
          triggers: ['owner'],
        },
      },
    })
    const reply = await r.say({ text: 'owner rotate the logs', senderStaffId: OP1.staffId, conversationId: OPS })
    expect(gw.calls[0]).toMatchObject({ status: 200, path: 'shared-secret', owner: true })
    expect(gw.calls[0]!.headers.authorization).toBe(`Bearer ${GATEWAY_TOKEN}`)
    expect(reply.text).toContain('as the OWNER')
    const system = (gw.calls[0]!.body.messages as { content: string }[])[0]!.content
    expect(system).toContain('(an operator in an admin conversation, on a route with owner access)')
    expect(reply.text).not.toContain(GATEWAY_TOKEN)
  })

  it('a conversation keeps its agent session across messages and restarts; another gets another; /reset and 重置 start over', async () => {
    gw = await trustedProxyGateway()
    r = await startOpenClawRouter(gw, { routes: { claw: END_USER_ROUTE } })
    await r.say(fromUser('claw first'))
    await r.say(fromUser('claw second'))
    await r.say(fromUser('claw elsewhere', CHAT_B))
    const [a1, a2, b1] = gw.calls
    expect(a1!.sessionKey).toBe(a2!.sessionKey)
    expect(gw.sessions.get(a1!.sessionKey!)).toEqual(['first', 'second'])
    expect(b1!.sessionKey).not.toBe(a1!.sessionKey)

    expect(withoutMentions(await r.say(fromUser('claw /reset')))).toBe(
      'Started a new "claw" session for this conversation; the agent no longer sees the earlier messages.',
    )
    expect(gw.calls).toHaveLength(3) // a reset is the router's business: nothing is sent
    await r.say(fromUser('claw after reset'))
    const a3 = gw.calls[3]!
    expect(a3.sessionKey).not.toBe(a1!.sessionKey)
    expect(gw.sessions.get(a3.sessionKey!)).toEqual(['after reset'])

    // The generation is in SQLite: after a restart the chat is still in its new session.
    const dir = r.dir
    await r.stop()
    r = await startOpenClawRouter(gw, { dir, routes: { claw: END_USER_ROUTE } })
    await r.say(fromUser('claw still here'))
    expect(gw.calls[4]!.sessionKey).toBe(a3.sessionKey)
    // The other chat was not reset.
    await r.say(fromUser('claw b again', CHAT_B))
    expect(gw.calls[5]!.sessionKey).toBe(b1!.sessionKey)
    // Chinese is written without a space after the trigger.
    expect((await r.say(fromUser('龙虾重置'))).text).toContain('已为这个会话开启新的“claw”对话')
    await r.say(fromUser('龙虾：新的问题'))
    expect(gw.calls[6]!.sessionKey).not.toBe(a3.sessionKey)
    expect(gw.sessions.get(gw.calls[6]!.sessionKey!)).toEqual(['新的问题'])
  })
})

function startFakeTokenGateway(): Promise<FakeGateway> {
  return startFakeGateway({ auth: { mode: 'token', token: GATEWAY_TOKEN }, agents: ['ops'] })
}
