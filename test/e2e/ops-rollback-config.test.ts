import { afterEach, describe, expect, it } from 'vitest'
import { knownGoodJob } from '../../src/jobs/known-good.js'
import { EMPTY_STATE } from '../../src/store/state.js'
import { isoSeconds } from '../../src/time-text.js'
import { MIN, fakeClock } from '../helpers/ops-services.js'
import { OP1, OP2, startTestRouter, type TestRouter } from '../helpers/router.js'

let r: TestRouter | undefined
afterEach(async () => {
  try {
    if (r) expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
  } finally {
    await r?.stop()
    r = undefined
  }
})

/** Marks the running release known-good with the config current now, as the job does after 10 ready minutes. */
async function markKnownGood(router: TestRouter, clock: ReturnType<typeof fakeClock>): Promise<string> {
  const s = router.app.services
  const job = knownGoodJob(s, { ready: () => s.runtime.readiness!().ready })
  await job.run(clock.now())
  clock.advance(10 * MIN)
  await job.run(clock.now())
  const good = s.releases.lastKnownGood()!
  expect(good.configVersion).toBe(s.state.current().version)
  return `the config of known-good release ${good.digest}, marked ${isoSeconds(good.knownGoodAt!)}`
}

function approvalId(text: string): string {
  const id = /\/approve ([a-z2-7]{10})/.exec(text)?.[1]
  expect(id, text).toBeDefined()
  return id!
}

describe('/rollback config (two operators, through the simulator)', () => {
  it('shows a dry-run diff, needs a second operator, and restores the last known-good version exactly as a new version', async () => {
    const clock = fakeClock()
    r = await startTestRouter({ now: clock.now })
    const s = r.app.services
    expect((await r.command('/disable-skill ping "noisy at night"')).text).toContain('"ping" is off')
    const v1 = s.state.current()
    expect(v1.version).toBe(1)

    // The release becomes known-good with config v1.
    const why = await markKnownGood(r, clock)
    expect(s.releases.lastKnownGood()?.configVersion).toBe(1)

    clock.advance(MIN)
    expect((await r.command('/incident on database trouble')).text).toContain('Incident mode on')
    expect(s.state.current().version).toBe(2)

    clock.advance(MIN)
    const request = await r.command('/rollback config')
    expect(request.text).toContain('Approval needed: /rollback')
    expect(request.text).toContain('Dry run')
    // The dry run names the known-good release the target came from.
    expect(request.text).toContain(`Restore config v1 (${why}) over the current v2`)
    expect(request.text).toContain('incident.on: true → false')
    expect(request.text).toMatch(/incident\.since: 2030-03-04T05:\d\d:00Z → \(unset\)/)
    expect(request.text).toContain('incident.reason: database trouble → (unset)')
    expect(s.state.current().version).toBe(2) // nothing ran yet

    const id = approvalId(request.text)
    expect((await r.command(`/approve ${id}`, OP1)).text).toContain('a different operator must approve it')
    expect(s.state.current().version).toBe(2)

    clock.advance(MIN)
    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.text).toContain(`Restored config v1 as the new v3 (was v2). Target chosen: ${why}.`)
    const now = s.state.current()
    expect(now.version).toBe(3)
    expect(now.state).toEqual(v1.state)
    expect(now.actor).toBe(OP2.name)
    // History is never rewritten: v2 is still there as it was.
    expect(s.state.version(2)?.state.incident).toMatchObject({ on: true, reason: 'database trouble' })
    expect((await r.say('ping')).text).toContain('turned off')

    const trail = [...s.audit.entries()].filter((e) => e.approvalId === id)
    expect(trail.map((e) => [e.action, e.outcome, e.actor])).toEqual([
      ['rollback', 'requested', OP1.name],
      ['approve', 'rejected', OP1.name],
      ['rollback', 'approved', OP2.name],
      ['rollback', 'executed', OP2.name],
    ])
    // One executed entry, committed with the version it wrote (and committing to its content hash).
    const restore = trail.find((e) => e.outcome === 'executed')!
    expect(restore.args).toMatchObject({
      target: 'config',
      from: 2,
      restored: 1,
      restoredAs: 3,
      why,
      stateVersion: 3,
      stateHash: s.state.current().hash,
    })
    expect(restore.args.changes).toEqual(
      expect.arrayContaining(['incident.on: true → false', 'incident.reason: database trouble → (unset)']),
    )
  })

  it('without a known-good version other than the current one, refuses and opens no request; a named version still works', async () => {
    const clock = fakeClock()
    r = await startTestRouter({ now: clock.now })
    const s = r.app.services
    await r.command('/disable-skill ping first')
    await r.command('/incident on drill')
    const attempts = () => [...s.audit.entries()].filter((e) => e.action === 'rollback' && e.args.target === 'config')

    // Nothing is known-good: no guess at an older version, and the reply says how to name one.
    const none = await r.command('/rollback config')
    expect(none.text).toContain('No config version is known-good: no release has been marked known-good yet')
    expect(none.text).toContain('over the current v2')
    expect(none.text).toContain('Name the version to restore: `/rollback config <version>`')
    expect(none.text).not.toContain('/approve')
    expect(s.approvals.pending(s.now())).toHaveLength(0)
    expect(s.state.newestVersion()).toBe(2)
    expect(attempts().map((e) => e.outcome)).toEqual(['rejected'])
    // Bare /rollback shows the same answer for the default form.
    expect((await r.command('/rollback')).text).toContain('/rollback config → No config version is known-good')

    // The current version is the known-good one: rolling back would leave it, so the same refusal.
    clock.advance(MIN)
    await markKnownGood(r, clock)
    const current = await r.command('/rollback config')
    expect(current.text).toContain(
      `The current config v2 is the known-good one (recorded when release ${s.runtime.digest} was marked known-good)`,
    )
    expect(current.text).toContain('name it: `/rollback config <version>`')
    expect(s.approvals.pending(s.now())).toHaveLength(0)
    expect(s.state.newestVersion()).toBe(2)
    expect(attempts().map((e) => e.outcome)).toEqual(['rejected', 'rejected'])

    // Named explicitly, the same rollback goes through, and says it was named.
    const undo = await r.command('/rollback config 1')
    expect(undo.text).toContain('Restore config v1 (as you named it) over the current v2')
    const undone = await r.command(`/approve ${approvalId(undo.text)}`, OP2)
    expect(undone.text).toContain('Restored config v1 as the new v3 (was v2). Target chosen: as you named it.')
    expect(s.state.current()).toMatchObject({ version: 3, state: s.state.version(1)!.state })
    expect(attempts().at(-1)).toMatchObject({ outcome: 'executed', args: { why: 'as you named it', restored: 1 } })
  })

  it('restores an explicit version, 0 being the initial state', async () => {
    r = await startTestRouter()
    const s = r.app.services
    await r.command('/disable-skill ping first')
    await r.command('/incident on drill')
    await r.command('/incident on drill again', OP2)

    const initial = await r.command('/rollback config 0', OP2)
    expect(initial.text).toContain('Restore config v0 (as you named it) over the current v3')
    expect(initial.text).toContain('skills.ping.enabled: false → (unset)')
    const done = await r.command(`/approve ${approvalId(initial.text)}`, OP1)
    expect(done.text).toContain('Restored config v0 as the new v4')
    expect(s.state.current().state).toEqual(EMPTY_STATE)
    expect((await r.say('ping')).text).toBe('pong')
  })

  it('refuses an unknown version before asking anyone, and bare /rollback only lists the options', async () => {
    r = await startTestRouter()
    expect((await r.command('/rollback config 7')).text).toContain(
      'There is no config version 7; the current one is v0',
    )
    expect((await r.command('/rollback config seven')).text).toContain('a config version is a number')
    expect(r.app.services.approvals.pending(r.app.services.now())).toHaveLength(0)
    const options = await r.command('/rollback')
    expect(options.text).toContain('/rollback config → The runtime config has never changed')
    expect(options.text).toContain('/rollback release → No known-good release')
  })

  it('refuses to run a defaulted rollback whose dry run went out of date', async () => {
    const clock = fakeClock()
    r = await startTestRouter({ now: clock.now })
    await r.command('/disable-skill ping one')
    await markKnownGood(r, clock)
    await r.command('/incident on two')
    const request = await r.command('/rollback config')
    expect(request.text).toContain('Restore config v1 (the config of known-good release')
    clock.advance(MIN)
    await r.command('/incident on three')
    const version = r.app.services.state.current().version
    clock.advance(MIN)
    const approved = await r.command(`/approve ${approvalId(request.text)}`, OP2)
    expect(approved.text).toContain('dry run is out of date')
    expect(r.app.services.state.current().version).toBe(version)
  })

  it('an explicit version is stale too once the state changed after its dry run: refused, no executed entry', async () => {
    const clock = fakeClock()
    r = await startTestRouter({ now: clock.now })
    const s = r.app.services
    await r.command('/disable-skill ping one')
    await r.command('/incident on two')
    clock.advance(MIN)
    const request = await r.command('/rollback config 1')
    expect(request.text).toContain('Restore config v1 (as you named it) over the current v2')
    const id = approvalId(request.text)
    clock.advance(MIN)
    // Someone changes the state after the dry run was shown: lowering a budget is instant.
    expect((await r.command('/budget ping context=100', OP2)).text).toContain('context 4,000 → 100')
    const version = s.state.current().version
    clock.advance(MIN)
    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.text).toContain('Approved, but NOT run')
    expect(approved.text).toContain('dry run is out of date')
    expect(s.state.current().version).toBe(version)
    // requested → rejected (stale, with the reason): never approved → executed → failed.
    const trail = [...s.audit.entries()].filter((e) => e.approvalId === id)
    expect(trail.map((e) => [e.action, e.outcome])).toEqual([
      ['rollback', 'requested'],
      ['rollback', 'rejected'],
    ])
    expect(trail[1]!.detail).toContain('stale: the config changed after this rollback was requested')
    expect(trail.some((e) => e.outcome === 'executed')).toBe(false)
    expect(s.approvals.get(id)?.status).toBe('denied')
  })
})
