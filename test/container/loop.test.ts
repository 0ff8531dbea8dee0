import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { OP1, OP2, OPS, TEST_SECRETS } from '../helpers/router.js'
import { type Deployment, deploymentFolder, HTTP_PORT } from './deployment.js'
import {
  answers,
  type Daemon,
  engineEnv,
  hostAddress,
  registry,
  registryUp,
  ROOT,
  run,
  startEngine,
  stateDir,
} from './engine.js'
import { buildReleases, forgetLocally, REPO, type Releases } from './releases.js'
import { runbookBlock } from './runbook.js'

// The deploy and rollback loop on a real engine: podman (runc) behind docker-compose, a registry on
// 127.0.0.1:5000, the repository's docker-compose.yml and deploy/ scripts, the DingTalk simulator on the host.
// Each step is what README "Deployment" and docs/RUNBOOK.md tell an operator to type. The steps build on
// each other, in order.
const canRun = await run(join(ROOT, 'test/container/engine/setup.sh'), [], { timeoutMs: 900_000 })
if (canRun.code !== 0) {
  console.log(
    `container suite skipped: this machine cannot run containers (${canRun.stderr.trim().split('\n').at(-1)})`,
  )
}

describe.skipIf(canRun.code !== 0)('the deploy and rollback loop on a real container engine', () => {
  const state = stateDir()
  // A host's /opt is traversable: the reconciler writes data/reconcile-result.json as the router's uid, which
  // must reach data/ through the deployment folder's parents, as it does there (the scratch folder is 0700).
  chmodSync(state, 0o711)
  const sim = new DingTalkSimulator({
    clientId: 'ding-ci-app',
    clientSecret: TEST_SECRETS.clientSecret,
  })
  const steps: string[] = []
  const log = (line: string) => steps.push(`${new Date().toISOString()} ${line}`)
  let engine: Daemon
  let reg: Daemon
  let releases: Releases
  let d: Deployment

  beforeAll(async () => {
    if (await answers(`http://127.0.0.1:${HTTP_PORT}/`)) throw new Error(`port ${HTTP_PORT} is taken on this host`)
    engine = await startEngine(state)
    reg = registry(state)
    await reg.start(registryUp)
    releases = await buildReleases(state, log)
    await sim.start()
    d = deploymentFolder(join(state, 'opt-dingtalk-router'), sim, releases.r1)
  }, 1_800_000)

  afterAll(async () => {
    writeFileSync(join(state, 'steps.log'), `${steps.join('\n')}\n`)
    if (d) {
      const logs = await d.sh('docker compose logs --no-color 2>&1 | tail -n 200')
      writeFileSync(join(state, 'compose.log'), logs.stdout)
      await d.sh('docker compose down --volumes --timeout 5')
    }
    await sim.stop()
    await reg?.stop()
    await engine?.stop()
  }, 120_000)

  const expectRunning = async (digest: string) => {
    expect((await d.status()).digest).toBe(digest)
    expect(await d.runningImageDigests()).toContain(`${REPO}@${digest}`)
  }

  it('a data folder the engine created (root-owned) stops the router with the path, the uid and the install line', async () => {
    // What Docker does for a missing bind-mount source: creates it, owned by root.
    mkdirSync(join(d.dir, 'data'))
    const r = await d.sh('docker compose up -d router')
    expect(r.code, r.stderr).toBe(0)
    expect(statSync(join(d.dir, 'data')).uid).toBe(0)
    let logs = ''
    const deadline = Date.now() + 120_000
    while (!logs.includes('not writable') && Date.now() < deadline) {
      logs = (await d.sh('docker compose logs --no-color router')).stdout
    }
    expect(logs).toContain('the folder /data is not writable by this process (uid 10001, gid 10001)')
    expect(logs).toContain('install -d -m 0700 -o 10001 -g 10001 data')
    expect((await d.sh('docker compose down --timeout 5')).code).toBe(0)
    // The fix it names, as the compose header has it (install -d also fixes an existing folder).
    expect((await d.sh('install -d -m 0700 -o 10001 -g 10001 data replica')).code).toBe(0)
    log('root-owned data/ refused with the install line')
  })

  it('first deploy: pull, up -d, and deploy/ready.sh waits for /ready', async () => {
    const r = await d.sh('docker compose pull && docker compose up -d && deploy/ready.sh')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`ready: ${releases.r1}`)
    await expectRunning(releases.r1)
    expect((await d.status()).stream).toBe('connected')
    const pong = sim.sendMessage({ text: 'ping' })
    expect((await sim.waitForReply({ msgId: pong.msgId }, 30_000)).text).toBe('pong')
    log('first deploy ready')
  })

  it('runs read-only, with no capabilities, as uid 10001, and listens on the host loopback only', async () => {
    const inspect = await d.sh(
      `docker inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}' "$(docker compose ps -q router)"`,
    )
    expect(inspect.stdout.trim()).toBe('true 10001:10001')
    const inside = await d.sh(
      `docker compose exec -T router sh -c 'id -u; id -g; grep CapEff /proc/1/status; grep CapEff /proc/self/status; touch /app/x 2>&1 || echo ro'`,
    )
    expect(inside.stdout).toMatch(/^10001\n10001\n/)
    expect(inside.stdout).toMatch(/CapEff:\s+0+\n.*CapEff:\s+0+\n/s)
    expect(inside.stdout).toContain('Read-only file system')
    expect((await d.sh(`getent passwd 10001 || echo "no login user 10001"`)).stdout).toContain('no login user 10001')
    await expect(
      fetch(`http://${hostAddress()}:${HTTP_PORT}/healthz`, { signal: AbortSignal.timeout(3000) }),
    ).rejects.toThrow()
    expect((await fetch(`http://127.0.0.1:${HTTP_PORT}/healthz`)).status).toBe(200)
    log('security checks passed')
  })

  it("the RUNBOOK's host checks run as written: metrics from zero, the digest from the running image, routerctl", async () => {
    const section = await d.sh(`set -euo pipefail\n${runbookBlock('## 1. Readiness and error rate')}`)
    expect(section.code, section.stderr).toBe(0)
    expect(section.stdout).toContain(`ready: ${releases.r1}`)
    const metrics = await d.sh(
      `docker compose exec -T router node -e "fetch('http://127.0.0.1:8080/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))" | grep -E '^router_(messages_total|errors_total|stream_connected)'`,
    )
    expect(metrics.stdout).toMatch(/^router_errors_total\{route="ping"\} 0$/m)
    expect(metrics.stdout).toMatch(/^router_stream_connected 1$/m)
    expect(await d.runningImageDigests()).toContain(`${REPO}@${releases.r1}`)
    const status = await d.sh('deploy/routerctl.sh status')
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toContain(releases.r1.slice(0, 19))
    const verify = await d.sh('deploy/routerctl.sh audit verify')
    expect(verify.code, verify.stderr).toBe(0)
  })

  it('the ops loop: a new release pinned in .env, pulled, recreated and verified', async () => {
    const r = await d.sh(
      `sed -i 's|^ROUTER_IMAGE=.*|ROUTER_IMAGE=${REPO}@${releases.r2}|; s|^ROUTER_IMAGE_DIGEST=.*|ROUTER_IMAGE_DIGEST=${releases.r2}|' .env && docker compose pull router && docker compose up -d router && deploy/ready.sh 120 ${releases.r2}`,
    )
    expect(r.code, r.stderr).toBe(0)
    await expectRunning(releases.r2)
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
    log('r2 deployed by the ops loop')
  })

  it('/rollback release from chat, approved by a second operator, is applied by the reconciler and verified', async () => {
    const ask = sim.sendMessage({
      text: `/rollback release ${releases.r1}`,
      senderStaffId: OP1.staffId,
      conversationId: OPS,
    })
    const dryRun = await sim.waitForReply({ msgId: ask.msgId }, 30_000)
    const id = /\/approve (\S+)/.exec(dryRun.text)?.[1]
    expect(id, dryRun.text).toBeDefined()
    const approve = sim.sendMessage({ text: `/approve ${id}`, senderStaffId: OP2.staffId, conversationId: OPS })
    await sim.waitForReply({ msgId: approve.msgId }, 30_000)
    expect(d.desired()).toContain(`"digest": "${releases.r1}"`)
    expect(d.desired()).toContain('"status": "ready"')
    const envBefore = d.env()
    const r = await d.reconcile()
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`${REPO}@${releases.r1} is running and verified`)
    await expectRunning(releases.r1)
    expect(d.env()).not.toBe(envBefore)
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
    const again = await d.reconcile()
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('already pinned')
    expect(again.stderr).toContain('running release verified')
    log('chat rollback applied and verified')
  })

  it('a release that crashes at start is not reported applied: the previous one is restored and verified', async () => {
    const envBefore = d.env()
    writeDesired(d, releases.crash)
    const r = await d.reconcile({ ROUTER_READY_TIMEOUT: '45' })
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toContain('did not verify within 45s')
    expect(r.stderr).toContain('the previous release is running and verified again')
    expect(d.env()).toBe(envBefore)
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
    await expectRunning(releases.r1)
    // Still desired, so still failed: the unit stays red (exit 4) until another release is asked for.
    const again = await d.reconcile()
    expect(again.code, again.stderr).toBe(4)
    expect(again.stderr).toContain('failed readiness before')
    expect(JSON.parse(readFileSync(join(d.dir, 'data/reconcile-result.json'), 'utf8'))).toMatchObject({
      outcome: 'failed',
    })
    log('crashing release restored')
  })

  it('a registry outage during the pull is retried, not a verdict: exhausted → env restored and not blacklisted; back → applied', async () => {
    rmSync(join(d.dir, '.reconcile-failed'), { force: true })
    const ask = await d.sh(`deploy/routerctl.sh rollback release --digest ${releases.r2} --reason "registry drill"`)
    expect(ask.code, ask.stderr).toBe(0)
    const envBefore = d.env()
    await forgetLocally(releases.r2)
    await reg.stop()
    const down = await d.reconcile({ ROUTER_PULL_ATTEMPTS: '2', ROUTER_PULL_BACKOFF: '1' })
    expect(down.code, down.stderr).toBe(3)
    expect(down.stderr).toContain('pull failed (attempt 1 of 2)')
    expect(down.stderr).toContain('not a verdict on the release')
    expect(d.env()).toBe(envBefore)
    expect(existsSync(join(d.dir, '.reconcile-failed'))).toBe(false)
    await expectRunning(releases.r1)

    // The registry comes back while the reconciler is backing off.
    const retried = d.reconcile({ ROUTER_PULL_ATTEMPTS: '30', ROUTER_PULL_BACKOFF: '2', ROUTER_PULL_BACKOFF_MAX: '2' })
    await waitForFile(join(d.dir, '.env.reconcile-prev'))
    await reg.start(registryUp)
    const r = await retried
    expect(r.code, r.stderr).toBe(0)
    await expectRunning(releases.r2)
    // The reconciler recreates the router only; the ops loop's plain `up -d` moves the sidecar along.
    expect((await d.sh('docker compose up -d && deploy/ready.sh 120 ' + releases.r2)).code).toBe(0)
    log('registry outage retried')
  })

  it('the reconciler killed mid-pull leaves no unchecked pin: the trap restores on SIGTERM, the next start after SIGKILL', async () => {
    const ask = await d.sh(`deploy/routerctl.sh rollback release --digest ${releases.r1} --reason "kill drill"`)
    expect(ask.code, ask.stderr).toBe(0)
    const envBefore = d.env()
    await forgetLocally(releases.r1)
    // A stalled registry: the pull hangs on an open connection.
    reg.signal('SIGSTOP')
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const child = spawn(join(d.dir, 'deploy/reconcile.sh'), [], {
        cwd: d.dir,
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, ...engineEnv },
      })
      // The dangerous moment: .env already pins the unchecked release, and the pull hangs.
      await waitFor(
        () => existsSync(join(d.dir, '.env.reconcile-prev')) && d.env().includes(`ROUTER_IMAGE=${REPO}@${releases.r1}`),
      )
      // systemd stops the whole unit: the reconciler and the compose pull it started.
      process.kill(-child.pid!, signal)
      await new Promise((done) => child.once('exit', done))
      if (signal === 'SIGTERM') {
        expect(d.env()).toBe(envBefore)
        expect(existsSync(join(d.dir, '.env.reconcile-prev'))).toBe(false)
      } else {
        expect(d.env()).toContain(`ROUTER_IMAGE=${REPO}@${releases.r1}`)
        expect(existsSync(join(d.dir, '.env.reconcile-prev'))).toBe(true)
      }
    }
    reg.signal('SIGCONT')
    await expectRunning(releases.r2)
    const r = await d.reconcile()
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('an earlier run was interrupted before its release was verified')
    expect(r.stderr).toContain('is running and verified')
    await expectRunning(releases.r1)
    log('killed reconciler recovered')
  })

  it('the host is gone: Litestream restores the database on a new host and the audit chain still holds the last head', async () => {
    const seen = sim.replies.length
    const mark = await d.sh('deploy/routerctl.sh disable-skill ping --reason "before the host is lost"')
    expect(mark.code, mark.stderr).toBe(0)
    // The bot posts the break-glass change to the admin group with the audit head: what on-call keeps.
    const notice = await sim.waitForReply(
      { conversationId: OPS, predicate: (r) => r.seq > seen && /audit head \d+:[0-9a-f]+/.test(r.text) },
      60_000,
    )
    const announced = /audit head (\d+):([0-9a-f]+)/.exec(notice.text)!
    const head = lastEntry((await d.sh('deploy/routerctl.sh audit export')).stdout)
    // Replication is continuous; wait until the replica holds that head (what the sidecar is for).
    const oldDir = d.dir
    await waitForReplica(join(oldDir, 'replica'), head, state)
    await d.sh('docker compose down --timeout 5')
    rmSync(join(oldDir, 'data'), { recursive: true, force: true })

    // A new host: the same repository files, secrets and .env, an empty data folder, the replica.
    const fresh = deploymentFolder(join(state, 'new-host'), sim, releases.r1)
    for (const f of ['router_audit_key', 'dingtalk_client_id', 'dingtalk_client_secret'])
      writeFileSync(join(fresh.dir, 'secrets', f), readFileSync(join(oldDir, 'secrets', f)))
    // The replica reached from the new host (an off-host mount in real life).
    fresh.writeEnv(`${d.env().trim()}\nLITESTREAM_REPLICA_DIR=${join(oldDir, 'replica')}`)
    d = fresh
    // RUNBOOK §8 as written: restore, verify, the last entry, start, ready.
    const steps = await d.sh(`set -euo pipefail\n${runbookBlock('## 8. The host is gone')}`)
    expect(steps.code, steps.stderr).toBe(0)
    expect(steps.stdout).toContain('audit chain intact')
    const tail = steps.stdout.split('\n').find((line) => line.startsWith('{'))
    expect(lastEntry(tail ?? '{}').seq).toBeGreaterThanOrEqual(head.seq)
    expect(steps.stdout).toContain(`ready: ${releases.r1}`)
    // …and its comparison with the head announced before the loss.
    const compare = await d.sh(`deploy/routerctl.sh audit verify --expect-head ${announced[1]}:${announced[2]}`)
    expect(compare.code, compare.stderr).toBe(0)
    expect(compare.stdout).toContain(`contains the expected head ${announced[1]}:${announced[2]}`)
    await expectRunning(releases.r1)
    log('host loss recovered from the replica')
  })
})

function writeDesired(d: Deployment, digest: string): void {
  const file = join(d.dir, 'data/desired-release.json')
  writeFileSync(file, `${JSON.stringify({ digest, status: 'ready', requestedBy: 'drill' }, null, 2)}\n`)
  chmodSync(file, 0o600)
}

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${condition.toString()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const waitForFile = (file: string) => waitFor(() => existsSync(file))

function lastEntry(jsonl: string): { seq: number; hash: string } {
  const last = jsonl.trim().split('\n').at(-1)!
  return JSON.parse(last) as { seq: number; hash: string }
}

/** Restores the replica to a scratch file with the host's Litestream until it holds `head` (bounded). */
async function waitForReplica(replica: string, head: { hash: string }, state: string): Promise<void> {
  const litestream = join(ROOT, 'node_modules/@flydotio/litestream-linux-x64/litestream')
  const deadline = Date.now() + 120_000
  for (let i = 0; ; i++) {
    const out = join(state, `replica-check-${i}.db`)
    const r = await run(litestream, ['restore', '-o', out, `file://${replica}`])
    if (r.code === 0) {
      const exported = await run(join(ROOT, 'bin/routerctl.mjs'), ['audit', 'export'], {
        env: { ROUTER_DB: out, ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey },
      })
      if (exported.stdout.includes(`"hash":"${head.hash}"`)) return
    }
    if (Date.now() > deadline) throw new Error(`the replica never held ${head.hash}: ${r.stderr}`)
    await new Promise((done) => setTimeout(done, 500))
  }
}
