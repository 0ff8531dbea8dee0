import cron from 'node-cron'
import { afterEach, describe, expect, it } from 'vitest'
import { accessReview } from '../../src/admin/access-review.js'
import { recordStartupDeploy } from '../../src/admin/deploy-record.js'
import { createJobs } from '../../src/jobs/index.js'
import { accessReviewJob } from '../../src/jobs/access-review.js'
import { auditRetentionJob } from '../../src/jobs/audit-retention.js'
import { dailyDigestJob } from '../../src/jobs/daily-digest.js'
import { expireApprovalsJob } from '../../src/jobs/expire-approvals.js'
import { skills as realSkills } from '../../skills/index.js'
import { DAY, DIGEST_A, MIN, fakeClock } from '../helpers/ops-services.js'
import { testServices } from '../helpers/services.js'
import { OP1, OP2, startTestRouter } from '../helpers/router.js'
import { auditedUpdate } from '../helpers/state.js'

type Ops = ReturnType<typeof testServices>
let ops: Ops | undefined
afterEach(() => {
  ops?.close()
  ops = undefined
})

const outbox = (o: Ops) => o.db.prepare('SELECT text FROM outbox ORDER BY id').pluck().all() as string[]
const entries = (o: Ops) => [...o.services.audit.entries()]

function appendAt(o: Ops, clock: ReturnType<typeof fakeClock>, at: number, actor: string, action = 'status') {
  const saved = clock.now()
  clock.set(at)
  const e = o.services.audit.append({ actor, channel: 'dingtalk', action, outcome: 'executed' })
  clock.set(saved)
  return e
}

describe('audit retention job (fake clock)', () => {
  it('prunes only entries older than retentionDays, keeps a signed checkpoint, and audit verify still passes', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now })
    const now = clock.now()
    for (let i = 0; i < 5; i++) appendAt(ops, clock, now - 400 * DAY, 'alice')
    const reviewed = appendAt(ops, clock, now - 366 * DAY, 'alice', 'disable-skill')
    ops.db
      .prepare('INSERT INTO audit_reviews (seq, reviewed_by, reviewed_at) VALUES (?, ?, ?)')
      .run(reviewed.seq, 'bob', now - 300 * DAY)
    appendAt(ops, clock, now - 365 * DAY, 'alice') // exactly at the cutoff: kept
    appendAt(ops, clock, now - 10 * DAY, 'bob')
    const job = auditRetentionJob(ops.services)
    expect(job.schedule).toBe('23 3 * * *')

    await job.run(now)
    const left = entries(ops)
    expect(left.map((e) => e.seq)).toEqual([7, 8, 9])
    expect(left.at(-1)).toMatchObject({
      actor: 'audit-retention',
      channel: 'cron',
      action: 'audit-retention',
      args: { retentionDays: 365, pruned: 6, checkpointSeq: 6 },
    })
    expect(ops.services.audit.checkpoint()).toMatchObject({ seq: 6, hash: reviewed.hash, ts: reviewed.ts })
    expect(ops.services.audit.verify()).toMatchObject({ ok: true, count: 3 })

    // The chain goes on from the checkpoint; a run that prunes nothing is still audited.
    await job.run(now)
    expect(entries(ops).at(-1)).toMatchObject({ seq: 10, args: { pruned: 0, checkpointSeq: 6 } })
    expect(ops.services.audit.verify()).toMatchObject({ ok: true, count: 4 })
    // A day later the entry that sat exactly on the cutoff has aged out too.
    clock.advance(DAY)
    await job.run(clock.now())
    expect(entries(ops).map((e) => e.seq)).toEqual([8, 9, 10, 11])
    expect(ops.services.audit.verify()).toMatchObject({ ok: true, count: 4 })
  })

  it('never cuts past a young entry even if a later one has an older clock, and can prune everything old', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now, configure: (c) => ({ ...c, audit: { ...c.audit, retentionDays: 30 } }) })
    const now = clock.now()
    appendAt(ops, clock, now - 90 * DAY, 'alice')
    appendAt(ops, clock, now - 5 * DAY, 'alice')
    appendAt(ops, clock, now - 60 * DAY, 'alice') // a host clock that stepped back
    await auditRetentionJob(ops.services).run(now)
    expect(entries(ops).map((e) => e.seq)).toEqual([2, 3, 4])

    clock.advance(100 * DAY)
    await auditRetentionJob(ops.services).run(clock.now())
    expect(entries(ops).map((e) => e.seq)).toEqual([5])
    expect(ops.services.audit.verify()).toMatchObject({ ok: true, count: 1 })
  })

  it('keeps the runtime state in force attested when the entry that attested it is pruned', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now, configure: (c) => ({ ...c, audit: { ...c.audit, retentionDays: 30 } }) })
    const noisy = auditedUpdate(ops.services, 'alice', 'noisy', (d) => void (d.skills.ping = { enabled: false }))
    clock.advance(60 * DAY)
    await auditRetentionJob(ops.services).run(clock.now())
    expect(entries(ops).map((e) => e.action)).toEqual(['audit-retention'])
    expect(entries(ops)[0]?.args).toMatchObject({ pruned: 1, stateVersion: noisy.version, stateHash: noisy.hash })
    ops.services.state.refresh()
    expect(ops.services.state.current()).toMatchObject({
      version: noisy.version,
      state: { skills: { ping: { enabled: false } } },
    })
    expect(ops.services.state.unattested()).toEqual([])
    expect(ops.services.audit.verify()).toMatchObject({ ok: true, count: 1 })
    // A year on, with the state still unchanged, each run carries it forward again.
    clock.advance(365 * DAY)
    await auditRetentionJob(ops.services).run(clock.now())
    ops.services.state.refresh()
    expect(ops.services.state.current().version).toBe(noisy.version)
  })

  it('a forged checkpoint or a deleted kept entry fails verify', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now })
    for (let i = 0; i < 3; i++) appendAt(ops, clock, clock.now() - 400 * DAY, 'alice')
    appendAt(ops, clock, clock.now() - DAY, 'alice')
    await auditRetentionJob(ops.services).run(clock.now())
    expect(ops.services.audit.verify()).toMatchObject({ ok: true })

    ops.db.prepare('UPDATE audit_checkpoint SET seq = 2').run()
    expect(ops.services.audit.verify()).toMatchObject({
      ok: false,
      seq: 2,
      reason: expect.stringContaining('checkpoint signature'),
    })
    ops.db.prepare('UPDATE audit_checkpoint SET seq = 3').run()
    expect(ops.services.audit.verify()).toMatchObject({ ok: true })
    ops.db.prepare('DELETE FROM audit WHERE seq = 4').run()
    expect(ops.services.audit.verify()).toMatchObject({ ok: false, seq: 5 })
  })
})

describe('access review job (fake clock)', () => {
  it('posts each operator with their last activity to the admin conversations, flags the inactive, and audits the run', async () => {
    const clock = fakeClock()
    ops = testServices({
      now: clock.now,
      env: { ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name},op3:carol` },
    })
    const now = clock.now()
    appendAt(ops, clock, now - 45 * DAY, 'alice')
    appendAt(ops, clock, now - 2 * DAY, 'alice', 'disable-skill')
    appendAt(ops, clock, now - 40 * DAY, 'bob', 'approve')
    const job = accessReviewJob(ops.services)
    expect(job.schedule).toBe('0 9 * * 1')
    await job.run(now)

    const [post] = outbox(ops)
    expect(post).toContain('Access review: 3 operator(s), 2 inactive for more than 30 days.')
    expect(post).toContain('- alice (op1): last active 2030-03-02T05:06:00Z (2d ago, disable-skill executed)')
    expect(post).toContain('- INACTIVE bob (op2): last active 2030-01-23T05:06:00Z (40d ago, approve executed)')
    expect(post).toContain('- INACTIVE carol (op3): no activity in the audit trail since 2030-01-18')
    expect(entries(ops).at(-1)).toMatchObject({
      actor: 'access-review',
      channel: 'cron',
      action: 'access-review',
      args: { operators: 3, inactive: ['bob', 'carol'], inactiveDays: 30 },
    })
    // The same function answers routerctl access review.
    expect(
      accessReview({ audit: ops.services.audit, operators: ops.config.operators, inactiveDays: 30 }, now).operators.map(
        (o) => o.inactive,
      ),
    ).toEqual([false, true, true])
  })
})

describe('daily digest job (fake clock)', () => {
  it('posts release, known-good, 24-hour errors, incident and skills to the admin conversations, audited', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now, digest: DIGEST_A, skills: realSkills })
    recordStartupDeploy(ops.services, { DEPLOYED_BY: 'ci' })
    auditedUpdate(ops.services, 'alice', 'x', (d) => {
      d.skills.ping = { enabled: false }
    })
    for (let i = 0; i < 4; i++) ops.services.usage.recordMessage('ping', i === 0, clock.now() - 3 * 60 * MIN)
    clock.advance(2 * 60 * MIN)
    await dailyDigestJob(ops.services).run(clock.now())
    const [post] = outbox(ops)
    expect(post).toContain(`- release ${DIGEST_A}, deployed 2h ago by ci`)
    expect(post).toContain('- known-good: none yet')
    expect(post).toContain('- errors (24 h): 1/4 = 25.0%')
    expect(post).toContain('- skills off: ping; pending approvals: 0')
    expect(entries(ops).at(-1)).toMatchObject({
      actor: 'daily-digest',
      channel: 'cron',
      action: 'daily-digest',
      args: { errors: 1, messages: 4, skillsOff: 1 },
    })
  })
})

describe('approval expiry job (fake clock)', () => {
  it('audits only the runs that expire something', async () => {
    const clock = fakeClock()
    ops = testServices({ now: clock.now })
    ops.services.approvals.create({
      command: 'rollback',
      args: { target: 'config' },
      requester: 'op1',
      requesterName: 'alice',
      conversationId: 'cid',
      now: clock.now(),
      ttlMs: 15 * MIN,
    })
    const job = expireApprovalsJob(ops.services)
    clock.advance(14 * MIN)
    await job.run(clock.now())
    expect(entries(ops)).toHaveLength(0)
    clock.advance(2 * MIN)
    await job.run(clock.now())
    expect(entries(ops).map((e) => [e.channel, e.action, e.outcome])).toEqual([['cron', 'rollback', 'expired']])
    expect(outbox(ops)).toEqual([expect.stringContaining('expired unanswered')])
  })
})

describe('the bot schedules every ops job', () => {
  it('with valid cron expressions, the digest only when enabled', async () => {
    const r = await startTestRouter({
      connect: false,
      configure: (c) => ({ ...c, digest: { ...c.digest, enabled: false } }),
    })
    try {
      const jobs = createJobs(r.app.services)
      expect(jobs.map((j) => j.name)).toEqual(
        expect.arrayContaining(['expire-approvals', 'known-good', 'audit-retention', 'access-review']),
      )
      expect(jobs.map((j) => j.name)).not.toContain('daily-digest')
      for (const j of jobs) expect(cron.validate(j.schedule), j.name).toBe(true)
      expect(
        createJobs({
          ...r.app.services,
          config: { ...r.app.services.config, digest: { enabled: true, schedule: '30 8 * * *' } },
        }).find((j) => j.name === 'daily-digest')?.schedule,
      ).toBe('30 8 * * *')
    } finally {
      await r.stop()
    }
  })
})
