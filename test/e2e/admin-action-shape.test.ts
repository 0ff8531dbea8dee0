import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import type { AuditEntry } from '../../src/store/audit.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP2, OPS, TEST_SECRETS, type TestRouter, startTestRouter, verifyAndStop } from '../helpers/router.js'
import { captureIo, cliEnv, ME, sudoActor } from '../helpers/routerctl.js'

/**
 * The parts of an entry that must not depend on the channel: what was done, with which argument names.
 * `sudoUser` is who (routerctl's SUDO_USER beside its account), not what.
 */
function shape(e: AuditEntry) {
  const argKeys = Object.keys(e.args)
    .filter((k) => k !== 'sudoUser')
    .sort()
  return { action: e.action, outcome: e.outcome, argKeys, approvalId: e.approvalId }
}

describe('one executor for chat and routerctl', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('the same action leaves the same audit shape from chat and from routerctl, one entry each', async () => {
    r = await startTestRouter()
    const { audit } = r.app.services
    const seqBefore = audit.head().seq
    expect((await r.command('/disable-skill ping backend flapping')).text).toContain('"ping" is off')
    const chat = [...audit.entries(seqBefore)]
    expect(chat.map((e) => [e.action, e.outcome])).toEqual([['disable-skill', 'executed']])

    expect((await r.command('/enable-skill ping')).text).toContain('Approval needed')
    const id = [...audit.entries()].at(-1)!.approvalId!
    const approve = await r.command(`/approve ${id}`, OP2)
    expect(approve.text).toContain('"ping" is on again')

    const cliBefore = audit.head().seq
    const env = cliEnv(r.dir, { ROUTER_DB: r.dbPath, ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey, SUDO_USER: 'erin' })
    const io = captureIo(env)
    expect(await main(['disable-skill', 'ping', '--reason', 'backend flapping'], io), io.stderr()).toBe(0)
    const cli = [...audit.entries(cliBefore)]
    expect(cli).toHaveLength(1)

    // Same action, outcome and argument names (skill, reason, and the state it committed to); only who
    // and through which channel differ.
    expect(shape(cli[0]!)).toEqual(shape(chat[0]!))
    expect(shape(chat[0]!).argKeys).toEqual(['reason', 'skill', 'stateHash', 'stateVersion'])
    expect(chat[0]).toMatchObject({ channel: 'dingtalk', breakGlass: false, actor: 'alice', osUser: null })
    expect(cli[0]).toMatchObject({
      channel: 'cli',
      breakGlass: true,
      actor: sudoActor('erin'),
      osUser: ME,
      args: { sudoUser: 'erin' },
    })
    expect(r.app.services.state.isSkillEnabled('ping')).toBe(false)
  })

  it('/approve leaves the approved entry of its request and the action executed, nothing of its own', async () => {
    r = await startTestRouter()
    const { audit } = r.app.services
    await r.command('/disable-skill ping')
    const request = await r.command('/enable-skill ping')
    const id = /\/approve ([a-z2-7]{10})/.exec(request.text)![1]!
    const before = audit.head().seq
    await r.command(`/approve ${id}`, OP2)
    const written = [...audit.entries(before)]
    expect(written.map((e) => [e.action, e.outcome, e.approvalId])).toEqual([
      ['enable-skill', 'approved', id],
      ['enable-skill', 'executed', id],
    ])
    expect(written.some((e) => e.action === 'approve')).toBe(false)
    // Same transaction: the executed entry commits to the state version the approval wrote.
    expect(written[1]!.args).toMatchObject({ stateVersion: r.app.services.state.current().version })
  })

  it('announcements in the admin conversation carry the audit head, which the chain contains', async () => {
    r = await startTestRouter()
    await r.command('/disable-skill ping noisy')
    const notice = await r.sim.waitForReply(
      { conversationId: OPS, predicate: (m) => m.kind === 'group' && m.text.includes('turned OFF') },
      PATIENCE,
    )
    const head = /— audit head (\d+):([0-9a-f]{12})$/.exec(notice.text)
    expect(head, notice.text).not.toBeNull()
    const entry = r.app.services.audit.get(Number(head![1]))!
    expect(entry.hash.startsWith(head![2]!)).toBe(true)
    // It is at least the entry of the change it announces.
    const change = [...r.app.services.audit.entries()].find((e) => e.action === 'disable-skill')!
    expect(entry.seq).toBeGreaterThanOrEqual(change.seq)
  })
})
