import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { auditRetentionJob } from '../../src/jobs/audit-retention.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { openStores } from '../../src/store/open.js'
import { DAY, DIGEST_A, DIGEST_B, script } from '../helpers/ops-services.js'
import {
  CLI_KEY,
  captureIo,
  cliEnv,
  routerctl,
  seedDatabase,
  ME,
  sudoActor,
  esc,
  readStores,
} from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'
import { auditedUpdate } from '../helpers/state.js'
import { isoSeconds } from '../../src/time-text.js'

function inspect(dbPath: string) {
  return readStores(dbPath, (opened) => ({
    stores: opened.stores,
    entries: [...opened.stores.audit.entries()],
    outbox: opened.db.prepare('SELECT text FROM outbox ORDER BY id').pluck().all() as string[],
    deploys: opened.stores.releases.history(),
    state: opened.stores.state.current(),
    v1: opened.stores.state.version(1),
    desired: opened.stores.releases.latestDesired(),
    verify: opened.stores.audit.verify(),
  }))
}

/** A bot database with config v1 (ping off, known-good with DIGEST_A), then v2 (incident on) and DIGEST_B deployed. */
function seedReleases(dir: string): string {
  const dbPath = seedDatabase(dir)
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  const { releases } = opened.stores
  auditedUpdate(
    opened.stores,
    'alice',
    'noisy',
    (d) => void (d.skills.ping = { enabled: false, reason: 'noisy', by: 'alice' }),
  )
  const a = releases.record({ digest: DIGEST_A, by: 'ci', channel: 'cli' }, Date.now() - 3 * DAY).deploy
  releases.markKnownGood(a.id, 1, Date.now() - 3 * DAY + 600_000)
  auditedUpdate(opened.stores, 'alice', 'drill', (d) => void (d.incident = { on: true, reason: 'drill', by: 'alice' }))
  releases.record({ digest: DIGEST_B, by: 'ci', channel: 'cli' }, Date.now() - DAY)
  opened.db.close()
  return dbPath
}

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

describe('routerctl ops commands', { timeout: 180_000 }, () => {
  it('deploy record records a new digest once, audited on cli with the OS user, and announces it', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir, { SUDO_USER: 'carol' })
    const io = captureIo(env)
    expect(await main(['deploy', 'record', '--digest', DIGEST_A, '--by', 'pipeline-812'], io), io.stderr()).toBe(0)
    expect(io.stdout()).toContain(`recorded deploy #1: ${DIGEST_A} by pipeline-812`)
    const again = captureIo(env)
    expect(await main(['deploy', 'record', '--digest', DIGEST_A], again)).toBe(0)
    expect(again.stdout()).toContain('already the newest deploy')
    const seen = inspect(dbPath)
    expect(seen.deploys).toEqual([
      expect.objectContaining({ digest: DIGEST_A, deployedBy: 'pipeline-812', channel: 'cli' }),
    ])
    expect(seen.entries.at(-1)).toMatchObject({
      action: 'deploy',
      channel: 'cli',
      actor: sudoActor('carol'),
      osUser: ME,
      outcome: 'executed',
      args: { digest: DIGEST_A, by: 'pipeline-812' },
    })
    expect(seen.outbox).toEqual([`Deploy recorded: ${DIGEST_A} by pipeline-812 (routerctl, ${sudoActor('carol')})`])

    expect(await main(['deploy', 'record'], captureIo(env))).toBe(2)
    const bad = captureIo(env)
    expect(await main(['deploy', 'record', '--digest', 'a b'], bad)).toBe(1)
    expect(bad.stderr()).toContain('is not a digest')
  })

  it('rollback config restores the last known-good version at once, as break-glass, and --dry-run changes nothing', async () => {
    const dir = tempDir()
    const dbPath = seedReleases(dir)
    const markedAt = readStores(dbPath, (o) => o.stores.releases.lastKnownGood()!.knownGoodAt!)
    const why = `the config of known-good release ${DIGEST_A}, marked ${isoSeconds(markedAt)}`
    const env = cliEnv(dir, { SUDO_USER: 'dave' })
    const dry = captureIo(env)
    expect(await main(['rollback', 'config', '--dry-run', '--reason', 'look first'], dry), dry.stderr()).toBe(0)
    expect(dry.stdout()).toContain(`Restore config v1 (${why}) over the current v2`)
    expect(inspect(dbPath).state.version).toBe(2)

    const io = captureIo(env)
    expect(await main(['rollback', 'config', '--reason', 'incident drill over'], io), io.stderr()).toBe(0)
    // The output says where the target came from, not only what was restored.
    expect(io.stdout()).toContain(`Restored config v1 as the new v3 (was v2). Target chosen: ${why}.`)
    const seen = inspect(dbPath)
    expect(seen.state).toMatchObject({ version: 3, state: seen.v1!.state, actor: sudoActor('dave') })
    // One entry, committed with the change it describes.
    expect(seen.entries.at(-1)).toMatchObject({
      action: 'rollback',
      outcome: 'executed',
      channel: 'cli',
      breakGlass: true,
      actor: sudoActor('dave'),
      args: {
        target: 'config',
        from: 2,
        restored: 1,
        restoredAs: 3,
        reason: 'incident drill over',
        why,
        stateVersion: 3,
      },
    })
    expect(seen.entries.at(-2)?.action).not.toBe('rollback')
    expect(seen.outbox.at(-1)).toMatch(
      new RegExp(
        `^Config v1 restored as v3 by ${esc(sudoActor('dave'))} via routerctl \\(break-glass\\) \\(was v2\\): incident drill over\\. Target: ${esc(why)}\\.`,
      ),
    )
    expect(seen.verify).toMatchObject({ ok: true })

    const missing = captureIo(env)
    expect(await main(['rollback', 'config', '--version', '9', '--reason', 'x'], missing)).toBe(1)
    expect(missing.stderr()).toContain('There is no config version 9')
  })

  it('rollback config without --version refuses (exit 1, nothing written) when nothing other than the current version is known-good', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    readStores(dbPath, (o) => {
      auditedUpdate(o.stores, 'alice', 'noisy', (d) => void (d.skills.ping = { enabled: false, by: 'alice' }))
      auditedUpdate(o.stores, 'alice', 'drill', (d) => void (d.incident = { on: true, reason: 'drill', by: 'alice' }))
    })
    const env = cliEnv(dir)
    const written = () =>
      readStores(dbPath, (o) => ({
        newest: o.stores.state.newestVersion(),
        rollbacks: [...o.stores.audit.entries()].filter((e) => e.action === 'rollback'),
      }))

    // Nothing is known-good: no default target, and neither the dry run nor the rollback guesses one.
    const dry = captureIo(env)
    expect(await main(['rollback', 'config', '--dry-run', '--reason', 'look'], dry)).toBe(1)
    expect(dry.stderr()).toContain('No config version is known-good')
    const none = captureIo(env)
    expect(await main(['rollback', 'config', '--reason', 'undo the drill'], none)).toBe(1)
    expect(none.stdout()).toBe('')
    expect(none.stderr()).toContain('No config version is known-good: no release has been marked known-good yet')
    expect(none.stderr()).toContain('over the current v2')
    expect(none.stderr()).toContain('Name the version to restore: routerctl rollback config --version <n>')
    let after = written()
    expect(after.newest).toBe(2)
    // The attempt is on the record (someone used the SSH gate), as a refusal: never executed.
    expect(after.rollbacks.map((e) => [e.outcome, e.channel, e.breakGlass])).toEqual([['rejected', 'cli', true]])
    expect(after.rollbacks[0]!.detail).toContain('No config version is known-good')

    // The current version is the known-good one: rolling back would move away from it, so the same refusal.
    readStores(dbPath, (o) => {
      const deploy = o.stores.releases.record({ digest: DIGEST_B, by: 'ci', channel: 'cli' }, Date.now()).deploy
      o.stores.releases.markKnownGood(deploy.id, 2, Date.now())
    })
    const current = captureIo(env)
    expect(await main(['rollback', 'config', '--reason', 'undo the drill'], current)).toBe(1)
    expect(current.stderr()).toContain(
      `The current config v2 is the known-good one (recorded when release ${DIGEST_B} was marked known-good)`,
    )
    expect(current.stderr()).toContain('name it: routerctl rollback config --version <n>')
    after = written()
    expect(after.newest).toBe(2)
    expect(after.rollbacks.map((e) => e.outcome)).toEqual(['rejected', 'rejected'])

    // Naming the version still works, and the output says it was named.
    const named = captureIo(env)
    expect(
      await main(['rollback', 'config', '--version', '1', '--reason', 'undo the drill'], named),
      named.stderr(),
    ).toBe(0)
    expect(named.stdout()).toContain('Restored config v1 as the new v3 (was v2). Target chosen: as you named it.')
    after = written()
    expect(after.newest).toBe(3)
    expect(after.rollbacks.at(-1)).toMatchObject({
      outcome: 'executed',
      args: { version: 1, restored: 1, restoredAs: 3, why: 'as you named it', stateVersion: 3 },
    })
  })

  it('rollback release runs the configured hook with the digest, and exits 1 when the hook fails, changing nothing else', async () => {
    const dir = tempDir()
    const dbPath = seedReleases(dir)
    const hook = script(dir, 'hook.sh', '#!/bin/sh\nprintf "%s\\n" "$@" > "$0.argv"\necho handed over\n')
    const config = join(dir, 'router.yaml')
    writeFileSync(config, `releases:\n  rollbackHook: ["${hook}", "{digest}"]\n  hookTimeout: 500ms\n`)
    const env = cliEnv(dir, { SUDO_USER: 'erin', ROUTER_CONFIG: config })
    const io = captureIo(env)
    expect(await main(['rollback', 'release', '--reason', '5xx since the deploy'], io), io.stderr()).toBe(0)
    expect(io.stdout()).toContain(`Release rollback to ${DIGEST_A} handed off`)
    expect(readFileSync(`${hook}.argv`, 'utf8').trim()).toBe(DIGEST_A)
    let seen = inspect(dbPath)
    expect(seen.desired).toMatchObject({
      digest: DIGEST_A,
      previousDigest: DIGEST_B,
      requestedBy: sudoActor('erin'),
      status: 'handed-off',
    })
    // The committed request, then the hand-off (hook) as its own entry linked to it.
    const [request, hand] = seen.entries.slice(-2)
    expect([request, hand].map((e) => [e!.action, e!.outcome, e!.breakGlass])).toEqual([
      ['rollback', 'executed', true],
      ['rollback-hook', 'executed', true],
    ])
    expect(hand!.args).toMatchObject({ for: request!.seq, status: 'handed-off' })
    const desiredBefore = readFileSync(join(dir, 'desired-release.json'), 'utf8')

    writeFileSync(hook, '#!/bin/sh\necho "registry unreachable" >&2\nexit 4\n')
    const failing = captureIo(env)
    expect(await main(['rollback', 'release', '--digest', DIGEST_A, '--reason', 'again'], failing)).toBe(1)
    expect(failing.stderr()).toContain('FAILED: the hook exited 4')
    seen = inspect(dbPath)
    expect(readFileSync(join(dir, 'desired-release.json'), 'utf8')).toBe(desiredBefore)
    expect(seen.desired?.status).toBe('failed')
    expect(seen.entries.at(-1)).toMatchObject({
      action: 'rollback-hook',
      outcome: 'failed',
      detail: expect.stringContaining('registry unreachable'),
    })
    expect(seen.verify).toMatchObject({ ok: true })
  })

  it('access review prints each operator with their last activity and flags the inactive', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
    opened.stores.audit.append({ actor: 'alice', channel: 'dingtalk', action: 'status', outcome: 'executed' })
    opened.db.close()
    const io = captureIo(cliEnv(dir, { ROUTER_OPERATORS: 'op1:alice,op2:bob' }))
    expect(await main(['access', 'review'], io), io.stderr()).toBe(0)
    expect(io.stdout()).toContain('Access review: 2 operator(s), 1 inactive for more than 30 days.')
    expect(io.stdout()).toMatch(/- alice \(op1\): last active \S+ \((just now|\d+s ago), status executed\)/)
    expect(io.stdout()).toContain('- INACTIVE bob (op2): no activity in the audit trail')
  })

  it("status carries the runbook section, with readiness from the bot's loopback listener", async () => {
    const dir = tempDir()
    seedReleases(dir)
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true,"checks":{"stream":{"ok":true}}}'),
    )
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const port = String((server.address() as AddressInfo).port)
    // Through the real entry point once, as an operator on the host would run it.
    const r = await routerctl(['status'], cliEnv(dir, { ROUTER_HTTP_PORT: port }))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/incident mode\s+ON/)
    expect(r.stdout).toContain('- Ready: yes')
    expect(r.stdout).toContain(`- Running: ${DIGEST_B} [newest deploy record], deployed 1d ago by ci`)
    expect(r.stdout).toContain(`- Last known-good: ${DIGEST_A}, since `)
    expect(r.stdout).toContain(`(readiness from http://127.0.0.1:${port}/ready)`)

    server.close()
    const json = captureIo(cliEnv(dir, { ROUTER_HTTP_PORT: port }))
    expect(await main(['status', '--json'], json)).toBe(0)
    const facts = JSON.parse(json.stdout()) as {
      runbook: { readiness?: unknown; running: { digest: string }; lastKnownGood: { digest: string } }
    }
    expect(facts.runbook).toMatchObject({ running: { digest: DIGEST_B }, lastKnownGood: { digest: DIGEST_A } })
    expect(facts.runbook.readiness).toBeUndefined()
  })

  it('audit verify still passes after retention pruned the oldest entries', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 5)
    const later = Date.now() + 400 * DAY
    const opened = openStores({ db: dbPath, auditKey: CLI_KEY }, () => later)
    const config = loadConfig({ ROUTER_DB: dbPath, ROUTER_AUDIT_KEY: CLI_KEY }, undefined)
    const log = createLogger({ level: 'silent' }).logger
    await auditRetentionJob({ audit: opened.stores.audit, state: opened.stores.state, config, log }).run(later)
    opened.db.close()
    const io = captureIo(cliEnv(dir))
    expect(await main(['audit', 'verify'], io), io.stderr()).toBe(0)
    expect(io.stdout()).toContain('audit chain intact: 1 entries')
  })
})
