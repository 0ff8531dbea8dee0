import { execFile } from 'node:child_process'
import { once } from 'node:events'
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { recordDeploy } from '../../src/admin/deploy-record.js'
import { rollbackReleaseAction } from '../../src/admin/actions/rollback-release.js'
import { runbookAction } from '../../src/admin/actions/runbook.js'
import { runAction } from '../../src/admin/actions/execute.js'
import { RESULT_FILE } from '../../src/admin/rollback-release.js'
import { DIGEST_A, DIGEST_B, fakeClock, script } from '../helpers/ops-services.js'
import { testServices } from '../helpers/services.js'
import { tempDir } from '../helpers/temp-dir.js'

// deploy/reconcile.sh against a fake engine; test/container runs the same script on a real one.
const RECONCILE = resolve('deploy/reconcile.sh')
const REPO = 'registry.example.com:5000/ops/dingtalk-ops-router'
const DIGEST_C = `sha256:${'c'.repeat(64)}`
const ORIGINAL_ENV = `# pinned by the last deploy\nROUTER_IMAGE=${REPO}@${DIGEST_B}\nROUTER_IMAGE_DIGEST=${DIGEST_B}\nDEPLOYED_BY=ci\nLOG_LEVEL=info\n`

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/**
 * The fake engine: logs its arguments; `up -d --force-recreate` makes the container run the digest .env pins
 * now (a plain `up -d` changes nothing, like an up that did not recreate); `pull` fails while the file
 * `pull-fails` exists; `exec … router node -e <probe> <url>` runs the probe here, against the fake router.
 */
const FAKE_DOCKER = `#!/usr/bin/env bash
printf "%s\\n" "$*" >> "$FAKE_DIR/docker.log"
args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  case \${args[i]} in
    pull) [[ -f $FAKE_DIR/pull-fails ]] && { echo "registry unreachable" >&2; exit 1; }; exit 0 ;;
    inspect) [[ -f $FAKE_DIR/pull-lies ]] && exit 1; exit 0 ;;
    --force-recreate) sed -n 's/^ROUTER_IMAGE_DIGEST=//p' "$FAKE_DIR/.env" > "$FAKE_DIR/running"; exit 0 ;;
    router) [[ \${args[i-2]} == exec ]] && exec "\${args[@]:i+1}" ;;
  esac
done
`

/**
 * A deployment folder as on the host: .env pinned to DIGEST_B (running), data/desired-release.json asking
 * for DIGEST_A (written by the router's own code), the fake engine on PATH, and a fake router whose /status
 * reports the digest the container runs and whose /ready is 200 only while that digest is `healthy` (one of).
 */
async function deployment(healthy: string | string[], env: string | null = ORIGINAL_ENV) {
  const isHealthy = (digest: string) => [healthy].flat().includes(digest)
  const dir = tempDir('reconcile-')
  mkdirSync(join(dir, 'data'))
  mkdirSync(join(dir, 'bin'))
  if (env !== null) writeFileSync(join(dir, '.env'), env, { mode: 0o600 })
  writeFileSync(join(dir, 'running'), env === null ? '' : DIGEST_B)
  writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n')
  const clock = fakeClock(Date.now())
  const ops = testServices({ now: clock.now, digest: DIGEST_B, dir: join(dir, 'data') })
  recordDeploy(ops.services, { digest: DIGEST_A, by: 'ci', actor: 'ci', channel: 'cli' }, clock.now())
  recordDeploy(ops.services, { digest: DIGEST_B, by: 'ci', actor: 'ci', channel: 'cli' }, clock.now())
  const done = await runAction(
    ops.services,
    rollbackReleaseAction,
    { target: 'release', digest: DIGEST_A },
    {
      name: 'alice',
      channel: 'dingtalk',
    },
  )
  if (!done.ok) throw new Error(done.reason)
  const requestId = done.result.desired.id
  ops.close()
  script(join(dir, 'bin'), 'docker', FAKE_DOCKER)
  const running = () => readFileSync(join(dir, 'running'), 'utf8').trim()
  const server = createServer((req, res) => {
    const body = req.url === '/status' ? { digest: running() } : { ready: isHealthy(running()) }
    const code = req.url === '/ready' && !isHealthy(running()) ? 503 : 200
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const run = (extra: Record<string, string> = {}) =>
    new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        'bash',
        [RECONCILE],
        {
          timeout: 60_000,
          env: {
            PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
            HOME: dir,
            FAKE_DIR: dir,
            ROUTER_COMPOSE: 'docker compose',
            ROUTER_DEPLOY_DIR: dir,
            ROUTER_PROBE_URL: base,
            ROUTER_READY_TIMEOUT: '3',
            ROUTER_READY_INTERVAL: '0.1',
            ROUTER_PULL_BACKOFF: '0',
            ...extra,
          },
        },
        (err, _stdout, stderr) => done({ code: err ? Number(err.code) : 0, stderr }),
      )
    })
  // The engine calls that change something (the probes are `exec`).
  const docker = () =>
    existsSync(join(dir, 'docker.log'))
      ? readFileSync(join(dir, 'docker.log'), 'utf8')
          .trim()
          .split('\n')
          .filter((l) => !l.includes(' exec ') && !l.startsWith('image inspect '))
      : []
  const envFile = () => readFileSync(join(dir, '.env'), 'utf8')
  // What the router reads back: the reconciler's report in the data folder.
  const resultFile = join(dir, 'data', RESULT_FILE)
  const result = () => JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>
  return { dir, run, docker, envFile, running, requestId, resultFile, result }
}

const composeArgs = (dir: string) =>
  `compose --project-directory ${dir} -f ${dir}/docker-compose.yml --env-file ${dir}/.env`

describe('deploy/reconcile.sh (fake engine on PATH, fake router)', () => {
  it('pins the desired digest, pulls, recreates, and reports it only once /status shows it and /ready passes', async () => {
    const d = await deployment(DIGEST_A)
    const result = await d.run()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`${REPO}@${DIGEST_A} is running and verified: /status digest and /ready`)
    expect(d.envFile()).toBe(
      `# pinned by the last deploy\nLOG_LEVEL=info\nROUTER_IMAGE=${REPO}@${DIGEST_A}\nROUTER_IMAGE_DIGEST=${DIGEST_A}\nDEPLOYED_BY=reconcile.sh/alice\n`,
    )
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
    expect(d.docker()).toEqual([
      `${composeArgs(d.dir)} pull router`,
      `${composeArgs(d.dir)} up -d --force-recreate router`,
    ])
    expect(d.running()).toBe(DIGEST_A)
    expect(existsSync(join(d.dir, '.env.reconcile-prev'))).toBe(false)
    expect(d.result()).toMatchObject({ id: d.requestId, digest: DIGEST_A, outcome: 'applied' })
    expect(d.result().detail).toContain('is running and verified')
    expect(statSync(d.resultFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(d.dir, '.reconcile-applied'), 'utf8')).toContain(` id=${d.requestId} digest=${DIGEST_A} `)

    // The timer runs it again: nothing to apply, and the running release still verifies.
    const again = await d.run()
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('already pinned')
    expect(again.stderr).toContain('running release verified')
    expect(d.docker()).toHaveLength(2)
  })

  it('applies a request once: a release deployed by hand afterwards is left running, not rolled back again', async () => {
    const d = await deployment([DIGEST_A, DIGEST_C])
    expect((await d.run()).code).toBe(0)
    expect(d.running()).toBe(DIGEST_A)
    // README "A host, step by step", step 3: C pinned in .env by sed, then pulled and brought up by compose.
    // desired-release.json still asks for A with "status": "ready".
    writeFileSync(join(d.dir, '.env'), d.envFile().replaceAll(DIGEST_A, DIGEST_C), { mode: 0o600 })
    writeFileSync(join(d.dir, 'running'), DIGEST_C)
    const calls = d.docker().length

    const later = await d.run()
    expect(later.code, later.stderr).toBe(0)
    expect(later.stderr).toContain(`request #${d.requestId} for ${DIGEST_A} was applied and verified before`)
    expect(later.stderr).toContain(`running release verified: /status digest and /ready (${DIGEST_C} 200)`)
    expect(d.envFile()).toContain(`ROUTER_IMAGE=${REPO}@${DIGEST_C}\nROUTER_IMAGE_DIGEST=${DIGEST_C}\n`)
    expect(d.running()).toBe(DIGEST_C)
    expect(d.docker()).toHaveLength(calls)
    expect(existsSync(join(d.dir, '.env.reconcile-prev'))).toBe(false)
  })

  it('an "already pinned" release that is not what runs is recreated and verified, never taken on trust', async () => {
    const d = await deployment(DIGEST_A)
    writeFileSync(join(d.dir, '.env'), ORIGINAL_ENV.replaceAll(DIGEST_B, DIGEST_A), { mode: 0o600 })
    const result = await d.run()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`the running router does not verify (${DIGEST_B} 503)`)
    expect(d.docker()).toEqual([`${composeArgs(d.dir)} up -d --force-recreate router`])
    expect(d.running()).toBe(DIGEST_A)
  })

  it('restores the previous env file and verifies the previous release when the new one does not verify', async () => {
    const d = await deployment(DIGEST_B)
    const result = await d.run()
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toContain(`did not verify within 3s (last answer: ${DIGEST_A} 503)`)
    expect(result.stderr).toContain('the previous release is running and verified again')
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
    expect(d.running()).toBe(DIGEST_B)
    expect(readFileSync(join(d.dir, '.reconcile-failed'), 'utf8').split('\n')[0]).toBe(DIGEST_A)
    // The router learns it from the data folder, not from the journal.
    expect(d.result()).toMatchObject({ id: d.requestId, digest: DIGEST_A, outcome: 'failed' })
    expect(d.result().detail).toBe(
      `did not verify within 3s, last answer: ${DIGEST_A} 503; ${DIGEST_B} was restored and verified again`,
    )
    expect(statSync(d.resultFile).mode & 0o777).toBe(0o600)

    // The timer does not flap back to a release that already failed, and the unit stays failed while it is
    // still desired: exit 4, every run.
    for (const run of [1, 2]) {
      const again = await d.run()
      expect({ run, code: again.code }, again.stderr).toEqual({ run, code: 4 })
      expect(again.stderr).toContain('failed readiness before (did not verify within 3s')
      expect(again.stderr).toContain('running release verified')
    }
    expect(d.docker()).toHaveLength(3)
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(d.result()).toMatchObject({ id: d.requestId, outcome: 'failed' })
    expect(d.result().detail).toContain('not retried: it failed readiness before (did not verify within 3s')

    // /runbook on the router that shares the data folder says FAILED, not pending.
    const router = testServices({ digest: DIGEST_B, dir: join(d.dir, 'data') })
    try {
      const shown = await runAction(router.services, runbookAction, {}, { name: 'bob', channel: 'dingtalk' })
      expect(shown.ok).toBe(true)
      const reply = shown.ok ? shown.reply : ''
      expect(reply).toContain(
        `- **Rollback #${d.requestId} → ${DIGEST_A} FAILED on the host:** not retried: it failed readiness before (did not verify within 3s, last answer: ${DIGEST_A} 503)`,
      )
      expect(reply).toContain('asked by alice')
      expect(reply).not.toContain('Rollback pending')
    } finally {
      router.close()
    }
  })

  it('when the previous release is not ready either, every timer run fails loudly and tries again', async () => {
    const d = await deployment(DIGEST_C)
    const first = await d.run()
    expect(first.code).toBe(1)
    expect(first.stderr).toContain('the previous release is NOT ready either')
    expect(d.result()).toMatchObject({ id: d.requestId, outcome: 'failed' })
    expect(d.result().detail).toContain(`${DIGEST_B} was restored but is NOT ready either (${DIGEST_B} 503)`)
    const next = await d.run()
    expect(next.code).toBe(1)
    expect(next.stderr).toContain('the running release is NOT ready')
    expect(d.docker().at(-1)).toBe(`${composeArgs(d.dir)} up -d --force-recreate router`)
  })

  it('a failed pull is retried with backoff, then the env file is restored and the release is not blacklisted', async () => {
    const d = await deployment(DIGEST_A)
    writeFileSync(join(d.dir, 'pull-fails'), '')
    const result = await d.run({ ROUTER_PULL_ATTEMPTS: '3' })
    expect(result.code, result.stderr).toBe(3)
    expect(result.stderr).toContain('pull failed (attempt 2 of 3)')
    expect(result.stderr).toContain('not a verdict on the release')
    expect(d.docker()).toEqual(Array(3).fill(`${composeArgs(d.dir)} pull router`))
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(existsSync(join(d.dir, '.reconcile-failed'))).toBe(false)
    expect(d.result()).toMatchObject({ id: d.requestId, outcome: 'retrying' })

    const later = await d.run()
    expect(later.code, later.stderr).toBe(3)
    expect(later.stderr).not.toContain('failed readiness before')
  })

  it('a pull that reports done but left no image is a failed pull, not a deploy', async () => {
    const d = await deployment(DIGEST_A)
    writeFileSync(join(d.dir, 'pull-lies'), '')
    const result = await d.run({ ROUTER_PULL_ATTEMPTS: '2' })
    expect(result.code, result.stderr).toBe(3)
    expect(d.docker()).toEqual(Array(2).fill(`${composeArgs(d.dir)} pull router`))
    expect(d.envFile()).toBe(ORIGINAL_ENV)
  })

  it('an env file left pinned by a killed run is restored, and what it pins verified, before anything else', async () => {
    const d = await deployment(DIGEST_B)
    // What a SIGKILL between the pin and the verification leaves behind.
    writeFileSync(join(d.dir, '.env.reconcile-prev'), ORIGINAL_ENV, { mode: 0o600 })
    writeFileSync(join(d.dir, '.env'), `ROUTER_IMAGE=${REPO}@${DIGEST_A}\n`, { mode: 0o644 })
    writeFileSync(join(d.dir, 'data', 'desired-release.json'), '{\n  "status": "awaiting-hook"\n}\n')
    const result = await d.run()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('an earlier run was interrupted before its release was verified')
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(statSync(join(d.dir, '.env')).mode & 0o777).toBe(0o600)
  })

  it('refuses what it cannot pin, changing nothing', async () => {
    const d = await deployment(DIGEST_A, null)
    const noRepo = await d.run()
    expect(noRepo.code).toBe(2)
    expect(noRepo.stderr).toContain('set ROUTER_IMAGE_REPO')
    expect(existsSync(join(d.dir, '.env'))).toBe(false)
    expect(d.result()).toMatchObject({ id: d.requestId, outcome: 'failed' })
    expect(d.result().detail).toContain('ROUTER_IMAGE_REPO is not set')

    writeFileSync(
      join(d.dir, 'data', 'desired-release.json'),
      '{\n  "digest": "1.2.0+abc123",\n  "status": "ready"\n}\n',
    )
    const notImage = await d.run({ ROUTER_IMAGE_REPO: REPO })
    expect(notImage.code).toBe(2)
    expect(notImage.stderr).toContain('only image digests can be pinned')
    expect(d.docker()).toEqual([])
    // A file written by hand has no request id: the report says so with null.
    expect(d.result()).toMatchObject({ id: null, digest: '1.2.0+abc123', outcome: 'failed' })
  })

  it.runIf(process.getuid?.() === 0)(
    'run as root, writes the report as the owner of the data folder, never as root into it',
    async () => {
      const d = await deployment(DIGEST_B)
      chmodSync(d.dir, 0o755)
      chownSync(join(d.dir, 'data'), 10001, 10001)
      // What a compromised router could plant: its report name pointing at a file of the host's root.
      const hostFile = join(d.dir, 'host-owned')
      writeFileSync(hostFile, 'root only\n', { mode: 0o600 })
      symlinkSync(hostFile, d.resultFile)
      expect((await d.run()).code).toBe(1)
      expect(readFileSync(hostFile, 'utf8')).toBe('root only\n')
      const st = lstatSync(d.resultFile)
      expect({ file: st.isFile(), uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({
        file: true,
        uid: 10001,
        gid: 10001,
        mode: 0o600,
      })
      expect(d.result()).toMatchObject({ id: d.requestId, outcome: 'failed' })
    },
  )

  it("leaves a desired release alone while the router's rollback hook is still running", async () => {
    const d = await deployment(DIGEST_A)
    const file = join(d.dir, 'data', 'desired-release.json')
    writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "ready"', '"status": "awaiting-hook"'))
    const result = await d.run()
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("desired release is 'awaiting-hook', not ready")
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(d.docker()).toEqual([])
  })

  it('with ROUTER_IMAGE_REPO and no env file yet, creates a 0600 pin (and removes it again on failure)', async () => {
    const ok = await deployment(DIGEST_A, null)
    expect((await ok.run({ ROUTER_IMAGE_REPO: REPO })).code).toBe(0)
    expect(ok.envFile()).toContain(`ROUTER_IMAGE=${REPO}@${DIGEST_A}\n`)
    expect(statSync(join(ok.dir, '.env')).mode & 0o777).toBe(0o600)

    const bad = await deployment(`sha256:${'f'.repeat(64)}`, null)
    expect((await bad.run({ ROUTER_IMAGE_REPO: REPO })).code).toBe(1)
    expect(existsSync(join(bad.dir, '.env'))).toBe(false)
  })
})
