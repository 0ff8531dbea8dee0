import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { recordDeploy } from '../../src/admin/deploy-record.js'
import { rollbackReleaseAction } from '../../src/admin/actions/rollback-release.js'
import { runAction } from '../../src/admin/actions/execute.js'
import { DIGEST_A, DIGEST_B, fakeClock, opsServices, script } from '../e2e/ops-helpers.js'
import { tempDir } from '../helpers/router.js'

const RECONCILE = resolve('deploy/reconcile.sh')
const REPO = 'registry.example.com:5000/ops/dingtalk-ops-router'
const ORIGINAL_ENV = `# pinned by the last deploy\nROUTER_IMAGE=${REPO}@${DIGEST_B}\nROUTER_IMAGE_DIGEST=${DIGEST_B}\nDEPLOYED_BY=ci\nLOG_LEVEL=info\n`

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/**
 * A deployment folder as on the host: .env pinned to DIGEST_B, data/desired-release.json asking for
 * DIGEST_A (written by the router's own code), a fake `docker` on PATH that records its arguments, and a
 * fake /ready that answers 200 only while the env file pins `healthy` (as the real container would).
 */
async function deployment(healthy: string, env: string | null = ORIGINAL_ENV) {
  const dir = tempDir('reconcile-')
  mkdirSync(join(dir, 'data'))
  mkdirSync(join(dir, 'bin'))
  if (env !== null) writeFileSync(join(dir, '.env'), env)
  writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n')
  const clock = fakeClock(Date.now())
  const ops = opsServices({ now: clock.now, digest: DIGEST_B, dir: join(dir, 'data') })
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
  ops.close()
  const dockerLog = join(dir, 'docker.log')
  script(join(dir, 'bin'), 'docker', '#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> "$FAKE_DOCKER_LOG"\n')
  let readyRequests = 0
  const server = createServer((_req, res) => {
    readyRequests++
    const pinned = existsSync(join(dir, '.env')) && readFileSync(join(dir, '.env'), 'utf8').includes(`@${healthy}\n`)
    res.writeHead(pinned ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: pinned }))
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`
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
            FAKE_DOCKER_LOG: dockerLog,
            ROUTER_DEPLOY_DIR: dir,
            ROUTER_READY_URL: url,
            ROUTER_READY_TIMEOUT: '3',
            ROUTER_READY_INTERVAL: '0.1',
            ...extra,
          },
        },
        (err, _stdout, stderr) => done({ code: err ? Number(err.code) : 0, stderr }),
      )
    })
  const docker = () => (existsSync(dockerLog) ? readFileSync(dockerLog, 'utf8').trim().split('\n') : [])
  const envFile = () => readFileSync(join(dir, '.env'), 'utf8')
  return { dir, run, docker, envFile, readyRequests: () => readyRequests }
}

const composeArgs = (dir: string) =>
  `compose --project-directory ${dir} -f ${dir}/docker-compose.yml --env-file ${dir}/.env`

describe('deploy/reconcile.sh (fake docker on PATH, fake /ready)', () => {
  it('pins the desired digest, pulls, recreates and waits for /ready', async () => {
    const d = await deployment(DIGEST_A)
    const result = await d.run()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`${REPO}@${DIGEST_A} is ready`)
    expect(d.envFile()).toBe(
      `# pinned by the last deploy\nLOG_LEVEL=info\nROUTER_IMAGE=${REPO}@${DIGEST_A}\nROUTER_IMAGE_DIGEST=${DIGEST_A}\nDEPLOYED_BY=reconcile.sh/alice\n`,
    )
    expect(d.docker()).toEqual([`${composeArgs(d.dir)} pull router`, `${composeArgs(d.dir)} up -d router`])
    expect(d.readyRequests()).toBeGreaterThan(0)

    // The timer runs it again: nothing to do.
    const again = await d.run()
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('already pinned')
    expect(d.docker()).toHaveLength(2)
  })

  it('restores the previous digest and re-runs up -d when the new release does not become ready', async () => {
    const d = await deployment(DIGEST_B)
    const result = await d.run()
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toContain('did not become ready within 3s')
    expect(result.stderr).toContain('the previous release is ready again')
    expect(d.envFile()).toBe(ORIGINAL_ENV)
    expect(d.docker()).toEqual([
      `${composeArgs(d.dir)} pull router`,
      `${composeArgs(d.dir)} up -d router`,
      `${composeArgs(d.dir)} up -d router`,
    ])
    expect(readFileSync(join(d.dir, '.reconcile-failed'), 'utf8').trim()).toBe(DIGEST_A)

    // The timer does not flap back to a release that already failed.
    const again = await d.run()
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('failed readiness before')
    expect(d.docker()).toHaveLength(3)
  })

  it('refuses what it cannot pin, changing nothing', async () => {
    const d = await deployment(DIGEST_A, null)
    const noRepo = await d.run()
    expect(noRepo.code).toBe(2)
    expect(noRepo.stderr).toContain('set ROUTER_IMAGE_REPO')
    expect(existsSync(join(d.dir, '.env'))).toBe(false)

    writeFileSync(
      join(d.dir, 'data', 'desired-release.json'),
      '{\n  "digest": "1.2.0+abc123",\n  "status": "ready"\n}\n',
    )
    const notImage = await d.run({ ROUTER_IMAGE_REPO: REPO })
    expect(notImage.code).toBe(2)
    expect(notImage.stderr).toContain('only image digests can be pinned')
    expect(d.docker()).toEqual([])
  })

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

  it('with ROUTER_IMAGE_REPO and no env file yet, creates the pin (and removes it again on failure)', async () => {
    const ok = await deployment(DIGEST_A, null)
    expect((await ok.run({ ROUTER_IMAGE_REPO: REPO })).code).toBe(0)
    expect(ok.envFile()).toContain(`ROUTER_IMAGE=${REPO}@${DIGEST_A}\n`)

    const bad = await deployment(`sha256:${'f'.repeat(64)}`, null)
    expect((await bad.run({ ROUTER_IMAGE_REPO: REPO })).code).toBe(1)
    expect(existsSync(join(bad.dir, '.env'))).toBe(false)
  })
})
