import { afterEach, describe, expect, it } from 'vitest'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import { CHUNK_CHARS } from '../../src/dingtalk/reply.js'
import { skills as realSkills } from '../../skills/index.js'
import { Cleanup } from '../helpers/cleanup.js'
import { countingServer } from '../helpers/loopback-server.js'
import { PATIENCE } from '../helpers/patience.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'
import { waitForReplies } from '../helpers/waits.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const LONG = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ` + 'x'.repeat(90)).join('\n')
const longSkill = defineSkill({
  name: 'long',
  description: 'A very long answer (tests)',
  example: 'long',
  match: /^long$/,
  risk: 'read',
  handler: () => LONG,
}) as SkillDefinition<unknown>

async function router(): Promise<TestRouter> {
  return cleanup.router(startTestRouter({ skills: [...realSkills, longSkill] }))
}

describe('replies', () => {
  it('never posts to a sessionWebhook host outside the allowlist', async () => {
    const r = await router()
    const trap = await countingServer(cleanup)
    const sent = r.sim.sendMessage({
      text: 'ping',
      extra: { sessionWebhook: `http://127.0.0.1:${trap.port}/x?session=abc123secret` },
    })
    const refused = await r.logs.waitFor(
      (l) =>
        l.msg === 'refused to reply: sessionWebhook host is not in DINGTALK_WEBHOOK_HOSTS' && l.msgId === sent.msgId,
      PATIENCE,
    )
    expect(refused.webhook).toBe(`http://127.0.0.1:${trap.port}/x?session=[redacted]`)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong') // barrier
    expect(trap.hits()).toBe(0)
    expect(r.sim.replies.filter((x) => x.msgId === sent.msgId)).toHaveLength(0)
    expect(r.logs.lines.join('\n')).not.toContain('abc123secret')
  })

  it('splits a long reply into chunks the webhook accepts, in order, keeping every line', async () => {
    const r = await router()
    expect(LONG.length).toBeGreaterThan(9000)
    const sent = r.sim.sendMessage({ text: 'long' })
    const parts = await waitForReplies(r.sim, { msgId: sent.msgId }, 3)
    expect((await r.say('ping', PATIENCE)).text).toBe('pong') // barrier: no further chunk is on its way
    const all = r.sim.replies.filter((x) => x.msgId === sent.msgId)
    expect(all.length).toBeGreaterThanOrEqual(3)
    expect(all.map((p) => p.seq)).toEqual([...all.map((p) => p.seq)].sort((a, b) => a - b))
    for (const p of all) {
      expect(p.kind).toBe('webhook')
      expect(p.text.length).toBeLessThanOrEqual(CHUNK_CHARS)
      expect(p.text.length).toBeGreaterThan(0)
    }
    expect(all.map((p) => p.text).join('\n')).toBe(LONG)
    expect(parts[0]!.text.startsWith('line 000')).toBe(true)
  })

  it('answers in a group, where the @ leaves a leading space', async () => {
    const r = await router()
    const reply = await r.say({ text: ' ping', conversationId: 'cid-team' }, PATIENCE)
    // A group reply @-mentions its sender.
    expect(reply).toMatchObject({
      kind: 'webhook',
      text: 'pong\n@user1',
      atUserIds: ['user1'],
      conversationId: 'cid-team',
    })
  })

  it('answers a picture with the "can\'t use files" reply', async () => {
    const r = await router()
    const reply = await r.say({ msgtype: 'picture' }, PATIENCE)
    expect(reply.text).toMatch(/^I can't use files here \(you sent a picture\)/)
  })

  it('reads audio through its speech-to-text', async () => {
    const r = await router()
    expect((await r.say({ msgtype: 'audio', text: 'ping' }, PATIENCE)).text).toBe('pong')
    expect((await r.say({ msgtype: 'audio', content: { recognition: '', duration: 1000 } }, PATIENCE)).text).toMatch(
      /could not make out any words/,
    )
  })
})
