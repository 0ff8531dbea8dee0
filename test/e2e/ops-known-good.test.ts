import { afterEach, describe, expect, it } from 'vitest'
import { recordDeploy, recordStartupDeploy } from '../../src/admin/deploy-record.js'
import { knownGoodJob } from '../../src/jobs/known-good.js'
import { DIGEST_A, DIGEST_B, MIN, fakeClock } from '../helpers/ops-services.js'
import { testServices } from '../helpers/services.js'
import { auditedUpdate } from '../helpers/state.js'

type Ops = ReturnType<typeof testServices>
let ops: Ops | undefined
afterEach(() => {
  if (ops) expect(ops.services.audit.verify()).toMatchObject({ ok: true })
  ops?.close()
  ops = undefined
})

const actions = (o: Ops, action: string) => [...o.services.audit.entries()].filter((e) => e.action === action)

describe('deploy events', () => {
  it('records the running release at start-up once, with DEPLOYED_BY, audited on the system channel', () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now, digest: DIGEST_A })
    const first = recordStartupDeploy(ops.services, { DEPLOYED_BY: 'ci-pipeline' })
    expect(first.created).toBe(true)
    expect(first.deploy).toMatchObject({
      digest: DIGEST_A,
      version: '1.2.3',
      deployedBy: 'ci-pipeline',
      deployedAt: clock.now(),
      channel: 'system',
      knownGoodAt: null,
    })
    clock.advance(5 * MIN)
    // A restart of the same release adds nothing.
    expect(recordStartupDeploy(ops.services, {}).created).toBe(false)
    expect(ops.services.releases.history()).toHaveLength(1)
    expect(actions(ops, 'deploy')).toEqual([
      expect.objectContaining({
        actor: 'router',
        channel: 'system',
        outcome: 'executed',
        args: { digest: DIGEST_A, version: '1.2.3', by: 'ci-pipeline' },
      }),
    ])
  })

  it('says unknown without DEPLOYED_BY; a pipeline record is audited on cli (not break-glass); a started release closes its rollback request', () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now, digest: DIGEST_B })
    const s = ops.services
    recordDeploy(
      s,
      { digest: DIGEST_A, by: 'deploy-bot', actor: 'carol', channel: 'cli', osUser: 'carol' },
      clock.now(),
    )
    const desired = s.releases.addDesired(
      { digest: DIGEST_B, previousDigest: DIGEST_A, requestedBy: 'alice' },
      clock.now(),
    )
    clock.advance(MIN)
    expect(recordStartupDeploy(s, {}).deploy).toMatchObject({ digest: DIGEST_B, deployedBy: 'unknown' })
    expect(s.releases.desired(desired.id)?.status).toBe('applied')
    expect(actions(ops, 'deploy').map((e) => [e.channel, e.breakGlass, e.osUser, e.args.by])).toEqual([
      ['cli', false, 'carol', 'deploy-bot'],
      ['system', false, null, 'unknown'],
    ])
    expect(() => recordDeploy(s, { digest: 'x; rm -rf /', by: 'x', actor: 'x', channel: 'cli' }, clock.now())).toThrow(
      /not a digest/,
    )
  })
})

describe('known-good job (fake clock)', () => {
  it('marks the release and the current config version after 10 ready minutes under the error threshold, audited once', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now })
    const s = ops.services
    recordStartupDeploy(s, {})
    auditedUpdate(s, 'alice', 'test', (d) => {
      d.skills.ping = { enabled: false, by: 'alice' }
    })
    const job = knownGoodJob(s, { ready: () => s.runtime.readiness!().ready })
    expect(job.schedule).toBe('* * * * *')

    await job.run(clock.now())
    clock.advance(9 * MIN)
    await job.run(clock.now())
    expect(s.releases.forDigest(DIGEST_A)?.knownGoodAt).toBeNull()
    expect(actions(ops, 'known-good')).toHaveLength(0)

    clock.advance(MIN)
    await job.run(clock.now())
    expect(s.releases.forDigest(DIGEST_A)).toMatchObject({ knownGoodAt: clock.now(), configVersion: 1 })
    expect(s.state.version(1)?.knownGood).toBe(true)
    expect(s.releases.lastKnownGood()?.configVersion).toBe(1)
    const [entry] = actions(ops, 'known-good')
    expect(entry).toMatchObject({
      actor: 'known-good',
      channel: 'cron',
      outcome: 'executed',
      args: { digest: DIGEST_A, configVersion: 1, readyForMs: 10 * MIN },
    })
    expect(ops.db.prepare('SELECT text FROM outbox').pluck().all()).toEqual([
      expect.stringContaining(`Release ${DIGEST_A} is now known-good`),
    ])

    // Later minutes change nothing and audit nothing.
    clock.advance(MIN)
    await job.run(clock.now())
    expect(actions(ops, 'known-good')).toHaveLength(1)
  })

  it('restarts the count when readiness drops, and waits while the error rate is over the threshold', async () => {
    const clock = fakeClock()
    ops = testServices({
      now: clock.now,
      configure: (c) => ({ ...c, releases: { ...c.releases, knownGoodAfter: '5m', maxErrorRate: 0.1 } }),
    })
    const s = ops.services
    recordStartupDeploy(s, {})
    const job = knownGoodJob(s, { ready: () => s.runtime.readiness!().ready })
    await job.run(clock.now())
    clock.advance(4 * MIN)
    ops.setReady(false)
    await job.run(clock.now())
    ops.setReady(true)
    clock.advance(MIN)
    await job.run(clock.now()) // ready again: counting from here
    clock.advance(4 * MIN)
    await job.run(clock.now())
    expect(s.releases.forDigest(DIGEST_A)?.knownGoodAt).toBeNull()

    // Ready long enough now, but 2 errors in 10 messages is 20 %: not yet.
    for (let i = 0; i < 10; i++) s.usage.recordMessage('ping', i < 2, clock.now())
    clock.advance(MIN)
    await job.run(clock.now())
    expect(s.releases.forDigest(DIGEST_A)?.knownGoodAt).toBeNull()

    // The errors age out of the 15-minute window; the mark follows.
    clock.advance(15 * MIN)
    await job.run(clock.now())
    expect(s.releases.forDigest(DIGEST_A)).toMatchObject({ knownGoodAt: clock.now(), configVersion: 0 })
    expect(actions(ops, 'known-good')).toHaveLength(1)
  })
})
