import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStores } from '../../src/store/open.js'
import { skills } from '../../skills/index.js'
import { main } from '../../src/cli/routerctl.js'
import { CLI_KEY, captureIo, cliEnv, readStores, routerctl, seedDatabase } from '../helpers/routerctl.js'
import { OUTBOX_RETRY } from '../../src/store/outbox.js'
import { RESULT_FILE } from '../../src/admin/rollback-release.js'
import { tempDir } from '../helpers/temp-dir.js'
import { auditedUpdate } from '../helpers/state.js'

// Every spawn is a full Node + tsx start; on a loaded 2-core machine that can take seconds each.
describe('routerctl read commands', { timeout: 180_000 }, () => {
  it('status prints the facts from the database, and --json parses', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const human = await routerctl(['status'], cliEnv(dir))
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`database           ${dbPath}`)
    expect(human.stdout).toMatch(/incident mode\s+off/)
    expect(human.stdout).toMatch(new RegExp(`skills\\s+${skills.length} on, 0 off`))
    const json = await routerctl(['status', '--json'], cliEnv(dir))
    expect(json.code).toBe(0)
    const facts = JSON.parse(json.stdout) as Record<string, unknown>
    expect(facts).toMatchObject({
      incident: { on: false },
      stateVersion: 0,
      pendingApprovals: 0,
      uptimeSeconds: null,
      database: dbPath,
    })
    expect(facts.skills).toEqual(
      skills.map((d) => ({
        name: d.name,
        enabled: true,
        pausedByIncident: false,
        risk: d.risk,
        egress: d.egress ?? [],
      })),
    )
    expect(facts.inbox).toMatchObject({ pending: 0, oldestWaitSeconds: null, source: 'database' })
    expect(facts.outbox).toEqual({ waiting: 0, undelivered: 0 })
    expect(human.stdout).toMatch(/pending messages\s+0 in the inbox \(read from the database/)
    expect(human.stdout).not.toContain('admin notices')
  })

  it('status shows the pending inbox rows read from the database, and unsent notices, in text and --json', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const now = Date.parse('2026-03-01T08:00:00Z')
    // What a hung bot leaves: stored and acked messages nobody answers, and notices nobody sent.
    readStores(dbPath, ({ stores }) => {
      stores.inbox.receive('msg-answered', '{}', now - 300_000)
      stores.inbox.complete('msg-answered', now - 299_000)
      stores.inbox.receive('msg-stuck-1', '{}', now - 125_000)
      stores.inbox.receive('msg-stuck-2', '{}', now - 5_000)
      stores.outbox.add('Incident mode ON', now - 60_000)
      const given = stores.outbox.add('Skill billing disabled', now - 90_000)
      for (let i = 0; i < OUTBOX_RETRY.maxAttempts; i++) stores.outbox.failed(given, 'HTTP 403')
    })
    const human = captureIo(cliEnv(dir), () => now)
    expect(await main(['status'], human)).toBe(0)
    expect(human.stdout()).toContain(
      "pending messages   2 in the inbox, oldest received 2m 5s ago (2026-03-01T07:57:55Z) (read from the database: the bot's live queue is not visible from routerctl)",
    )
    expect(human.stdout()).toContain(
      'admin notices      1 waiting to be sent, 1 UNDELIVERED (given up after about a day of failures)',
    )

    const json = captureIo(cliEnv(dir), () => now)
    expect(await main(['status', '--json'], json)).toBe(0)
    const facts = JSON.parse(json.stdout()) as Record<string, unknown>
    expect(facts.inbox).toEqual({
      pending: 2,
      oldestReceivedAt: now - 125_000,
      oldestWaitSeconds: 125,
      source: 'database',
    })
    expect(facts.outbox).toEqual({ waiting: 1, undelivered: 1 })
    expect(facts).not.toHaveProperty('queue')
  })

  it("status shows a skill incident mode holds back as paused (incident), by the skill gate's rule, in text and --json", async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    readStores(dbPath, ({ stores }) => {
      auditedUpdate(
        stores,
        'alice',
        'db failover',
        (d) => void (d.incident = { on: true, reason: 'db failover', by: 'alice' }),
      )
      auditedUpdate(
        stores,
        'alice',
        'noisy',
        (d) => void (d.skills.help = { enabled: false, reason: 'noisy', by: 'alice' }),
      )
    })
    // ping declares risk read, but the operators list it as risky in incident mode.
    const config = join(dir, 'router.yaml')
    writeFileSync(config, 'incident:\n  riskySkills: [ping]\n')
    const human = captureIo(cliEnv(dir, { ROUTER_CONFIG: config }))
    expect(await main(['status'], human), human.stderr()).toBe(0)
    expect(human.stdout()).toMatch(
      new RegExp(`skills\\s+${skills.length - 2} on, 1 paused \\(incident\\) \\(ping\\), 1 off \\(help\\)`),
    )
    expect(human.stdout()).not.toContain('riskySkills unknown')

    const json = captureIo(cliEnv(dir, { ROUTER_CONFIG: config }))
    expect(await main(['status', '--json'], json)).toBe(0)
    const facts = JSON.parse(json.stdout()) as {
      skills: { name: string; enabled: boolean; pausedByIncident: boolean }[]
    }
    const state = (name: string) => facts.skills.find((k) => k.name === name)
    // `enabled` keeps its meaning (the flag); the pause is its own field. An off skill is off, not paused.
    expect(state('ping')).toMatchObject({ enabled: true, pausedByIncident: true })
    expect(state('help')).toMatchObject({ enabled: false, pausedByIncident: false })
    expect(facts.skills.filter((k) => k.pausedByIncident).map((k) => k.name)).toEqual(['ping'])

    // routerctl skills says the same.
    const table = captureIo(cliEnv(dir, { ROUTER_CONFIG: config }))
    expect(await main(['skills'], table)).toBe(0)
    expect(table.stdout()).toMatch(/^ping\s+paused \(incident\)\s+read\s/m)
    expect(table.stdout()).toMatch(/^help\s+off\s/m)

    // Without a valid bot configuration the risky list is unknown, and the output says so.
    writeFileSync(config, 'http:\n  port: not-a-number\n')
    const broken = captureIo(cliEnv(dir, { ROUTER_CONFIG: config }))
    expect(await main(['status'], broken)).toBe(0)
    expect(broken.stdout()).toMatch(new RegExp(`skills\\s+${skills.length - 1} on, 1 off \\(help\\)`))
    expect(broken.stdout()).toContain('incident.riskySkills unknown: the bot configuration does not validate')
  })

  it("status shows a rollback the host's reconciler failed as FAILED, not pending", async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    let asked: { id: number; digest: string } | undefined
    readStores(dbPath, ({ stores }) => {
      asked = stores.releases.addDesired({ digest: `sha256:${'a'.repeat(64)}`, requestedBy: 'alice' }, Date.now())
    })
    const report = { id: asked!.id, digest: asked!.digest, at: new Date().toISOString(), outcome: 'failed' }
    writeFileSync(
      join(dirname(dbPath), RESULT_FILE),
      JSON.stringify({ ...report, detail: 'did not verify within 120s' }),
    )
    const io = captureIo(cliEnv(dir))
    expect(await main(['status'], io)).toBe(0)
    expect(io.stdout()).toContain(
      `Rollback #${asked!.id} → ${asked!.digest} FAILED on the host: did not verify within 120s`,
    )
    expect(io.stdout()).not.toContain('Rollback pending')
  })

  it('skills lists each skill with state, risk, egress and reason', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
    auditedUpdate(
      opened.stores,
      'alice',
      'flapping',
      (d) => void (d.skills.ping = { enabled: false, reason: 'flapping', by: 'alice' }),
    )
    opened.db.close()
    const r = await routerctl(['skills'], cliEnv(dir))
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^SKILL\s+STATE\s+RISK\s+EGRESS\s+REASON$/)
    expect(lines).toContainEqual(expect.stringMatching(/^help\s+on\s+read\s+-\s+-$/))
    expect(lines).toContainEqual(expect.stringMatching(/^ping\s+off\s+read\s+-\s+flapping$/))
  })

  it('a missing database is refused with exit 1 and is not created', async () => {
    const dir = tempDir()
    const message = `no database at ${join(dir, 'router.db')} — set ROUTER_DB`
    const r = await routerctl(['status'], cliEnv(dir))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    // The rest through the same entry point in-process, to keep the process count down.
    for (const args of [
      ['skills'],
      ['audit', 'export'],
      ['audit', 'verify'],
      ['disable-skill', 'ping', '--reason', 'x'],
    ]) {
      const err: string[] = []
      const code = await main(args, {
        out: () => undefined,
        err: (l) => void err.push(l),
        env: cliEnv(dir),
        now: Date.now,
      })
      expect(code, args.join(' ')).toBe(1)
      expect(err.join('\n')).toContain(message)
    }
    expect(existsSync(join(dir, 'router.db'))).toBe(false)
  })

  it('a broken bot configuration falls back to ROUTER_DB with a warning, printing no secret', async () => {
    const dir = tempDir()
    seedDatabase(dir)
    const config = join(dir, 'router.yaml')
    writeFileSync(config, 'http:\n  port: not-a-number\n')
    const env = cliEnv(dir, { ROUTER_CONFIG: config, DINGTALK_CLIENT_SECRET: 'only-half-of-the-credentials-s3cr3t' })
    const r = await routerctl(['audit', 'verify'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('audit chain intact: 1 entries')
    expect(r.stderr).toMatch(/warning: the bot's configuration does not validate/)
    expect(r.stderr).toMatch(/http\.port/)
    for (const secret of ['only-half-of-the-credentials-s3cr3t', CLI_KEY])
      expect(r.stdout + r.stderr).not.toContain(secret)
  })

  it('uses the audit.key file the bot keeps beside the database, and refuses without any key', async () => {
    const dir = tempDir()
    seedDatabase(dir, 2, { keyFile: true })
    expect(existsSync(join(dir, 'audit.key'))).toBe(true)
    const ok = await routerctl(['audit', 'verify'], cliEnv(dir, { ROUTER_AUDIT_KEY: undefined }))
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('audit chain intact: 2 entries')

    const keyless = tempDir()
    seedDatabase(keyless)
    const refused = await routerctl(['audit', 'verify'], cliEnv(keyless, { ROUTER_AUDIT_KEY: undefined }))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/no audit key/)
    expect(existsSync(join(keyless, 'audit.key'))).toBe(false)
  })

  it('the installed bin works from another working directory', async () => {
    const dir = tempDir()
    seedDatabase(dir)
    const r = await routerctl(['status'], cliEnv(dir), { via: 'bin', cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/incident mode\s+off/)
    const usage = await routerctl(['nope'], cliEnv(dir), { via: 'bin', cwd: dir })
    expect(usage.code).toBe(2)
  })
})
