import { afterEach, describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP2, OPS, type TestRouter, withoutMentions, startTestRouter, verifyAndStop } from '../helpers/router.js'

describe('the read-only admin commands', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('/help lists every command with its usage, marking those that need a second operator', async () => {
    r = await startTestRouter()
    const help = await r.command('/help')
    expect(help.msgtype).toBe('markdown')
    for (const def of commands) expect(help.text).toContain(`\`${def.usage}\``)
    const line = (name: string) => help.text.split('\n').find((l) => l.startsWith(`- \`/${name}`)) ?? ''
    expect(line('enable-skill')).toContain('needs a second operator')
    expect(line('incident')).toContain('off needs a second operator')
    for (const name of ['disable-skill', 'approve', 'deny', 'status'])
      expect(line(name)).not.toContain('second operator')
  })

  it('/whoami shows the identity the router uses, and that isAdmin grants nothing', async () => {
    r = await startTestRouter()
    const me = await r.command('/whoami', OP2)
    expect(me.text).toContain(`**Operator:** ${OP2.name}`)
    expect(me.text).toContain(`**staffId:** ${OP2.staffId}`)
    expect(me.text).toContain(OPS)
    expect(me.text).toContain('isAdmin flag and display names grant nothing')
  })

  it('/status and /skills show the stream, skills, errors and pending approvals', async () => {
    r = await startTestRouter()
    const before = await r.command('/status')
    expect(before.title).toMatch(/^Status: connected/)
    expect(before.text).toContain('**Stream:** connected')
    expect(before.text).toContain('**Incident mode:** off')
    expect(before.text).toContain('**Pending approvals:** 0')
    expect(before.text).toContain('| skill | state | risk |')
    expect(before.text).toContain('| ping | on | read |')
    await r.command('/disable-skill ping load test')
    await r.command('/enable-skill ping')
    const after = await r.command('/status')
    expect(after.text).toContain('**Pending approvals:** 1 (see /pending)')
    expect(after.text).toContain('| ping | OFF (load test) | read |')
    expect(after.text).toMatch(/\*\*Errors \(15 min\):\*\* \d+ of \d+ messages/)
    const skills = await r.command('/skills')
    expect(skills.text).toContain('| skill | state | risk | egress | breaker |')
    expect(skills.text).toContain('| ping | OFF (load test) | read | none | — |')
    expect(skills.text).toContain('| help | on | read | none | — |')
    const total = r.app.services.skills.skills.length
    expect(skills.title).toBe(`Skills: ${total - 1} on, 1 off`)
  })

  it('/disable-skill takes effect before the next message and is announced', async () => {
    r = await startTestRouter()
    expect((await r.command('/disable-skill ping')).text).toContain('"ping" is off')
    expect((await r.say('ping')).text).toContain('turned off')
    expect((await r.command('/disable-skill ping')).text).toContain('already off')
    expect((await r.command('/disable-skill nosuch')).text).toContain('No skill named "nosuch"')
    await r.sim.waitForReply(
      {
        conversationId: OPS,
        predicate: (m) => m.kind === 'group' && m.text.includes('Skill **ping** turned OFF by alice'),
      },
      PATIENCE,
    )
  })

  it('/pending lists open requests with id, requester and expiry', async () => {
    r = await startTestRouter()
    expect(withoutMentions(await r.command('/pending'))).toBe('No approval requests are open.')
    await r.command('/disable-skill ping')
    const request = await r.command('/enable-skill ping')
    const id = /\/approve ([a-z2-7]{10})/.exec(request.text)![1]!
    const pending = await r.command('/pending', OP2)
    expect(pending.text).toContain(`/approve ${id}`)
    expect(pending.text).toContain('/enable-skill skill=ping` by alice')
    expect(pending.text).toMatch(/expires in 1[45]m( \d+s)? \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/)
  })

  it('/audit shows the last entries, filtered, one short line each', async () => {
    r = await startTestRouter()
    await r.command('/disable-skill ping')
    await r.command('/whoami', OP2)
    const last3 = await r.command('/audit 3')
    const lines = last3.text.split('\n').filter((l) => l.startsWith('- #'))
    expect(lines).toHaveLength(3)
    // A read is audited once it has answered, so the newest line is the entry before this /audit.
    expect(lines[0]).toMatch(/^- #\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ bob whoami \*\*executed\*\*$/)
    expect(r.app.services.audit.recent(1)[0]).toMatchObject({ actor: 'alice', action: 'audit', outcome: 'executed' })
    const filtered = await r.command('/audit actor=alice action=disable-skill')
    const only = filtered.text.split('\n').filter((l) => l.startsWith('- #'))
    expect(only).toHaveLength(1)
    expect(only[0]).toContain('alice disable-skill **executed**')
    // Operators' own actions by default; `all` includes refused attempts by others.
    expect((await r.command('/audit 500')).title).toMatch(/^Last \d+ operator and system entries$/)
    expect((await r.command('/audit all 500')).title).toMatch(/^Last \d+ audit entries \(all\)$/)
    expect(withoutMentions(await r.command('/audit actor=nobody'))).toBe('No audit entries match actor=nobody.')
  })

  it('/review lists unreviewed break-glass actions and acks each once', async () => {
    r = await startTestRouter()
    const { audit } = r.app.services
    expect(withoutMentions(await r.command('/review'))).toBe('No break-glass actions are waiting for review.')
    // What routerctl writes for a mutating call over SSH.
    const glass = audit.append({
      actor: 'root',
      channel: 'cli',
      action: 'disable-skill',
      args: { skill: 'ping', reason: 'hung' },
      outcome: 'executed',
      breakGlass: true,
      osUser: 'root',
    })
    const plain = audit.recent(50).find((e) => !e.breakGlass)!
    const list = await r.command('/review')
    expect(list.text).toContain(`#${glass.seq}`)
    expect(list.text).toContain('root (os user root) via cli: disable-skill executed')
    expect((await r.command(`/review ack ${plain.seq}`)).text).toContain('is not a break-glass action')
    expect((await r.command('/review ack 999999')).text).toContain('No audit entry #999999')
    const ack = await r.command(`/review ack ${glass.seq}`, OP2)
    expect(ack.text).toContain(`#${glass.seq} (root: disable-skill) marked reviewed by bob`)
    expect((await r.command(`/review ack ${glass.seq}`)).text).toMatch(
      new RegExp(`#${glass.seq} was already reviewed by bob at \\d{4}-`),
    )
    expect(withoutMentions(await r.command('/review'))).toBe('No break-glass actions are waiting for review.')
    // The review is an entry in the chain; the refused attempts are on the record as rejected.
    const acks = audit.recent(50, { action: 'review-ack' }).filter((e) => e.outcome === 'executed')
    expect(acks).toHaveLength(1)
    expect(acks[0]).toMatchObject({ actor: OP2.name, outcome: 'executed', args: { seq: glass.seq } })
    expect(audit.reviewOf(glass.seq)?.reviewedBy).toBe(OP2.name)
  })
})
