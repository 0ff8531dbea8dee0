import { afterEach, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL, NO_MATCH_REPLY } from '../helpers/english-texts.js'
import { skills as realSkills } from '../../skills/index.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, TEST_SECRETS, type TestRouter } from '../helpers/router.js'
import { gatedSkill } from '../helpers/test-skills.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

describe('logging keeps credentials out', () => {
  it('a whole conversation, including a proactive send, logs no secret, token or session value', async () => {
    const slow = gatedSkill('slow')
    const r: TestRouter = await cleanup.router(startTestRouter({ skills: [...realSkills, slow.skill] }))
    cleanup.add(slow, (s) => s.release('released by cleanup'))
    const sessions: string[] = []
    const track = (webhook: string) => sessions.push(new URL(webhook).searchParams.get('session')!)

    const ping = r.sim.sendMessage({ text: 'ping' })
    track(ping.sessionWebhook)
    expect((await r.sim.waitForReply({ msgId: ping.msgId }, PATIENCE)).text).toBe('pong')
    const help = r.sim.sendMessage({ text: 'help' })
    track(help.sessionWebhook)
    expect((await r.sim.waitForReply({ msgId: help.msgId }, PATIENCE)).title).toBe('What I can do')
    const unknown = r.sim.sendMessage({ text: 'make me a sandwich' })
    track(unknown.sessionWebhook)
    expect((await r.sim.waitForReply({ msgId: unknown.msgId }, PATIENCE)).text).toBe(NO_MATCH_REPLY)
    // A refused admin command (audited) and a refused webhook host (logged with its URL).
    expect((await r.say({ text: '/status', senderStaffId: 'user1', conversationId: 'cid-ops' }, PATIENCE)).text).toBe(
      `${COMMAND_REFUSAL}\n@user1`,
    )
    const refusedHost = r.sim.sendMessage({
      text: 'ping',
      extra: { sessionWebhook: 'https://evil.example/robot/sendBySession?session=evil-session-token-1' },
    })
    sessions.push('evil-session-token-1')
    await r.logs.waitFor(
      (l) => l.msgId === refusedHost.msgId && typeof l.msg === 'string' && l.msg.startsWith('refused to reply'),
      PATIENCE,
    )

    // The session expires while the skill works: the answer goes out through the OpenAPI with an access token.
    const late = r.sim.sendMessage({ text: 'slow' })
    track(late.sessionWebhook)
    await slow.started()
    r.sim.expireSession(late.msgId)
    slow.release('late answer')
    const proactive = await r.sim.waitForReply(
      { predicate: (x) => x.kind === 'oto' && x.text === 'late answer' },
      PATIENCE,
    )
    expect(proactive.userIds).toEqual(['user1'])
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')

    const text = r.logs.lines.join('\n')
    expect(r.logs.lines.length).toBeGreaterThanOrEqual(3)
    for (const [name, secret] of Object.entries(TEST_SECRETS)) expect(text, name).not.toContain(secret)
    expect(text).not.toMatch(/sim-at-[0-9a-f]{8,}/) // access tokens the simulator issued
    for (const session of sessions) expect(text).not.toContain(session)
    const sessionValues = [...text.matchAll(/session=([^&"\s\\]*)/g)].map((m) => m[1])
    expect(sessionValues.length).toBeGreaterThan(0) // the check above is not vacuous
    expect(new Set(sessionValues)).toEqual(new Set(['[redacted]']))
    expect(text).not.toMatch(/ticket=(?!\[redacted\])[^&"\s\\]/)
  })
})
