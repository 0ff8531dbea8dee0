import fc from 'fast-check'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { afterEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { fuzzParams } from '../helpers/arbitraries.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OP2, TEST_SECRETS, type TestRouter, withoutMentions } from '../helpers/router.js'
import { SecurityHarness } from '../helpers/security.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'

// Approval ids are single-use, bound to one command and its arguments, and only a different operator's
// `/approve` in an admin conversation runs them. admin-approvals covers: self-approval, approving the same id
// twice in a row, two approvals at once, expiry, deny-then-approve, an unknown id for /deny, a non-operator's
// /approve, and a tampered row. This file adds replays after execution and across a restart, forged ids
// (fuzzed), and ids used for what they were not issued for.

const h = new SecurityHarness()
afterEach(() => h.finish(), PATIENCE)

const OP3 = { staffId: 'op3', name: 'carol' }
const THREE = { ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name},${OP3.staffId}:${OP3.name}` }

/** Sends a command that needs a second operator and returns the approval id from its reply. */
async function request(r: TestRouter, text: string, by = OP1): Promise<string> {
  const reply = await r.command(text, by, PATIENCE)
  const id = /\/approve ([a-z2-7]{10})/.exec(reply.text)?.[1]
  expect(id, reply.text).toBeDefined()
  return id!
}

function trail(r: TestRouter, id: string) {
  return [...r.app.services.audit.entries()].filter((e) => e.approvalId === id)
}

const executed = (r: TestRouter, id: string) => trail(r, id).filter((e) => e.outcome === 'executed')

async function pingIsOff(r: TestRouter): Promise<void> {
  expect((await r.say('ping', PATIENCE)).text).toContain('turned off')
}

describe('security: approval ids', { timeout: 8 * PATIENCE }, () => {
  it('a used id cannot be replayed, by anyone, with /approve or /deny, before or after a restart', async () => {
    const sim = h.cleanup.add(
      new DingTalkSimulator({ clientId: TEST_SECRETS.clientId, clientSecret: TEST_SECRETS.clientSecret }),
      (s) => s.stop(),
    )
    await sim.start()
    const dir = h.cleanup.add(tempDir('approvals-replay-'), removeDir)
    const first = await h.router({ sim, dir, env: THREE })
    expect((await first.command('/disable-skill ping night', OP1, PATIENCE)).text).toContain('"ping" is off')
    const id = await request(first, '/enable-skill ping')
    expect((await first.command(`/approve ${id}`, OP2, PATIENCE)).text).toContain('"ping" is on again')
    // Off again: a replay that worked would turn it back on.
    expect((await first.command('/disable-skill ping again', OP1, PATIENCE)).text).toContain('"ping" is off')

    const replays: [string, { staffId: string }][] = [
      [`/approve ${id}`, OP2],
      [`/approve ${id}`, OP3],
      [`/approve ${id}`, OP1],
      [`/deny ${id}`, OP3],
      [`/approve ${id.toUpperCase()}`, OP3],
      [`/approve   "${id}"  `, OP3],
    ]
    const replay = async (r: TestRouter) => {
      for (const [text, by] of replays) {
        const reply = await r.command(text, by, PATIENCE)
        expect(reply.text, text).toContain(`was already approved by ${OP2.name}`)
      }
      await pingIsOff(r)
      expect(executed(r, id)).toHaveLength(1)
    }
    await replay(first)
    await first.stop()

    const second = await h.router({ sim, dir, env: THREE })
    await replay(second)
    // Every replay is on the record as a rejected attempt against that id.
    const rejected = trail(second, id).filter((e) => e.outcome === 'rejected')
    expect(rejected).toHaveLength(2 * replays.length)
    expect(rejected.every((e) => e.args.reason === 'already-decided')).toBe(true)
  })

  it('forged ids (random, near-misses, injection strings) approve nothing', async () => {
    const r = await h.router({ env: THREE })
    expect((await r.command('/disable-skill ping', OP1, PATIENCE)).text).toContain('"ping" is off')
    const id = await request(r, '/enable-skill ping')
    const flip = (c: string) => (c === 'a' ? 'b' : 'a')
    const nearMisses = [
      id.slice(0, 9),
      `${id}a`,
      id.slice(0, 9) + flip(id[9]!),
      flip(id[0]!) + id.slice(1),
      `${id};${id}`,
      `${id}\u0000`,
      `../${id}`,
      `${id}%00`,
      "'or'1'='1",
      '%',
      '*',
      '_'.repeat(10),
      'a'.repeat(64),
      '0',
      '-1',
      'null',
      '__proto__',
      'constructor',
      '$(id)',
      '`id`',
    ]
    let refusedWithAudit = 0
    const attempt = async (forged: string, by: { staffId: string }) => {
      const seqBefore = r.app.services.audit.recent(1)[0]?.seq ?? 0
      const reply = await r.command(`/approve ${forged}`, by, PATIENCE)
      expect(reply.text, forged).toMatch(/^No approval request "|^Usage: \/approve <id>/)
      const entries = r.app.services.audit.recent(5).filter((e) => e.seq > seqBefore)
      if (reply.text.startsWith('No approval request')) {
        // The refusal with its reason is the one entry: /approve leaves no `executed` entry of its own.
        expect(entries.map((e) => [e.action, e.outcome, e.args.reason])).toEqual([['approve', 'rejected', 'unknown']])
        refusedWithAudit++
      } else {
        // Refused before it runs (bad arguments): still an admin attempt, on the record as rejected.
        expect(entries.map((e) => [e.action, e.outcome, e.args.reason])).toEqual([['approve', 'rejected', 'usage']])
      }
    }
    for (const forged of nearMisses) await attempt(forged, OP2)
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z2-7]{10}$/), fc.constantFrom(OP2, OP3), async (forged, by) => {
        fc.pre(forged !== id)
        await attempt(forged, by)
      }),
      fuzzParams(25, { shrink: false }),
    )
    expect(refusedWithAudit).toBeGreaterThan(20)
    expect(r.app.services.approvals.get(id)?.status).toBe('pending')
    expect(executed(r, id)).toHaveLength(0)
    await pingIsOff(r)
  })

  it('an id runs exactly the command and arguments it was issued for, and nothing else', async () => {
    const r = await h.router({ env: THREE })
    expect((await r.command('/disable-skill ping', OP1, PATIENCE)).text).toContain('"ping" is off')
    expect((await r.command('/disable-skill help', OP1, PATIENCE)).text).toContain('"help" is off')
    const enablePing = await request(r, '/enable-skill ping', OP1)
    const raiseBudget = await request(r, '/budget ping context=8000', OP1)
    const enableHelp = await request(r, '/enable-skill help', OP2)
    const budgetOf = () => r.app.services.state.current().state.budgets.ping?.maxContextTokens

    // Trying to bend an id towards another command or other arguments: refused as a usage error, nothing runs.
    for (const bent of [
      `/approve ${enablePing} /enable-skill help`,
      `/approve ${enablePing} skill=help`,
      `/approve ${raiseBudget} context=999999`,
    ]) {
      expect((await r.command(bent, OP2, PATIENCE)).text, bent).toMatch(/^Usage: \/approve <id>/)
      expect(r.app.services.audit.recent(1)[0]).toMatchObject({
        actor: OP2.name,
        action: 'approve',
        outcome: 'rejected',
        args: { reason: 'usage', text: bent },
      })
    }
    // An operator outside the admin conversations cannot use a valid id either.
    const elsewhere = await r.say(
      { text: `/approve ${enablePing}`, senderStaffId: OP3.staffId, conversationId: 'cid-elsewhere' },
      PATIENCE,
    )
    expect(withoutMentions(elsewhere)).toBe(COMMAND_REFUSAL)
    expect(r.app.services.audit.recent(1)[0]).toMatchObject({
      action: 'approve',
      outcome: 'rejected',
      actor: `staff:${OP3.staffId}`,
    })

    // The budget id raises the budget, and only that.
    expect((await r.command(`/approve ${raiseBudget}`, OP2, PATIENCE)).text).toContain('Approved')
    expect(budgetOf()).toBe(8000)
    await pingIsOff(r)
    expect(r.app.services.state.isSkillEnabled('help')).toBe(false)
    expect(r.app.services.approvals.get(enablePing)?.status).toBe('pending')
    expect(r.app.services.approvals.get(enableHelp)?.status).toBe('pending')

    // The help id (requested by bob) turns help on, and only help.
    expect((await r.command(`/approve ${enableHelp}`, OP3, PATIENCE)).text).toContain('"help" is on again')
    await pingIsOff(r)

    // The ping id turns ping on.
    expect((await r.command(`/approve ${enablePing}`, OP3, PATIENCE)).text).toContain('"ping" is on again')
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')

    // Each id executed once, as the exact command and arguments that were requested.
    const requested = (id: string) => trail(r, id).find((e) => e.outcome === 'requested')!
    for (const id of [enablePing, raiseBudget, enableHelp]) {
      const runs = executed(r, id).filter((e) => e.action === requested(id).action)
      expect(runs).toHaveLength(1)
      expect(runs[0]!.args).toMatchObject(requested(id).args)
    }
    expect(requested(enablePing).args).toEqual({ skill: 'ping' })
    expect(requested(enableHelp).args).toEqual({ skill: 'help' })
    expect(requested(raiseBudget).args).toMatchObject({ route: 'ping', context: '8000' })
    // The budget id's one effect, itself on the record under that id.
    expect(
      executed(r, raiseBudget)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['budget'])
    expect(executed(r, enablePing).map((e) => e.action)).toEqual(['enable-skill'])
    expect(executed(r, enableHelp).map((e) => e.action)).toEqual(['enable-skill'])
    expect(r.app.services.approvals.pending(r.app.services.now())).toEqual([])
  })
})
