import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DESIRED_FILE } from '../../src/admin/rollback-release.js'
import { openStores } from '../../src/store/open.js'
import { DIGEST_A, DIGEST_B, script } from '../helpers/ops-services.js'
import { OP2, TEST_SECRETS, startTestRouter, type TestRouter } from '../helpers/router.js'
import { tempDir } from '../helpers/temp-dir.js'

let r: TestRouter | undefined
afterEach(async () => {
  try {
    if (r) expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
  } finally {
    await r?.stop()
    r = undefined
  }
})

/** A router whose history has DIGEST_B deployed, then DIGEST_A known-good, before the running release. */
async function start(hook: (dir: string) => string[] | undefined, hookTimeout = '500ms') {
  const dir = tempDir('ops-release-')
  const seeded = openStores({ db: join(dir, 'router.db'), auditKey: TEST_SECRETS.auditKey })
  const { releases } = seeded.stores
  // An hour ago, on the router's own (real) clock.
  const t0 = Date.now() - 3_600_000
  releases.record({ digest: DIGEST_B, by: 'ci', channel: 'cli' }, t0)
  const a = releases.record({ digest: DIGEST_A, by: 'ci', channel: 'cli' }, t0 + 1000).deploy
  releases.markKnownGood(a.id, 0, t0 + 2000)
  seeded.db.close()
  const argv = hook(dir)
  r = await startTestRouter({
    dir,
    configure: (c) => ({ ...c, releases: { ...c.releases, rollbackHook: argv, hookTimeout } }),
  })
  return { dir, router: r, desiredFile: join(dir, DESIRED_FILE) }
}

async function requestAndApprove(router: TestRouter, text: string) {
  const request = await router.command(text)
  const id = /\/approve ([a-z2-7]{10})/.exec(request.text)?.[1]
  expect(id, request.text).toBeDefined()
  const approved = await router.command(`/approve ${id}`, OP2, 30_000)
  return { request, approved, id: id! }
}

function untouched(router: TestRouter) {
  const s = router.app.services
  return { config: s.state.current().version, deploys: s.releases.history(50) }
}

describe('/rollback release', () => {
  it('runs the hook with the right digest after approval, writes the desired release, and audits the output', async () => {
    const { router, dir, desiredFile } = await start((d) => [
      script(
        d,
        'hook.sh',
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$0.argv"\ncp "$ROUTER_DESIRED_FILE" "$0.seen"\necho "asked the host to reconcile $ROUTER_DESIRED_DIGEST"\n',
      ),
      '--digest',
      '{digest}',
      '--file',
      '{file}',
    ])
    const { request, approved, id } = await requestAndApprove(router, '/rollback release')
    const running = router.app.services.runtime.digest
    expect(request.text).toContain(`Roll back the release from ${running} to ${DIGEST_A} (last known-good`)
    expect(request.text).toContain('runs the hook')
    expect(approved.text).toContain(`Release rollback to ${DIGEST_A} handed off`)
    expect(approved.text).toContain(`Hook: asked the host to reconcile ${DIGEST_A}`)

    expect(readFileSync(join(dir, 'hook.sh.argv'), 'utf8').trim().split('\n')).toEqual([
      '--digest',
      DIGEST_A,
      '--file',
      desiredFile,
    ])
    // The reconciler may only act once the hook succeeded: `awaiting-hook` while it ran, `ready` after.
    expect(JSON.parse(readFileSync(join(dir, 'hook.sh.seen'), 'utf8'))).toMatchObject({
      digest: DIGEST_A,
      status: 'awaiting-hook',
    })
    expect(JSON.parse(readFileSync(desiredFile, 'utf8'))).toMatchObject({
      digest: DIGEST_A,
      previousDigest: running,
      requestedBy: OP2.name,
      status: 'ready',
    })
    expect(router.app.services.releases.latestDesired()).toMatchObject({ digest: DIGEST_A, status: 'handed-off' })
    const entry = [...router.app.services.audit.entries()].find((e) => e.action === 'rollback-hook')!
    expect(entry).toMatchObject({
      outcome: 'executed',
      approvalId: id,
      actor: OP2.name,
      args: { digest: DIGEST_A, previous: running, status: 'handed-off' },
    })
    expect(entry.detail).toContain(`asked the host to reconcile ${DIGEST_A}`)
    // The hook ran after the request was committed, and its entry names the request's entry.
    const requested = [...router.app.services.audit.entries()].find(
      (e) => e.action === 'rollback' && e.outcome === 'executed',
    )!
    expect(requested).toMatchObject({ approvalId: id, args: { target: 'release', digest: DIGEST_A } })
    expect(entry.args.for).toBe(requested.seq)
  })

  it('takes an explicit digest, appending it when the hook names no {digest}', async () => {
    const { router, dir } = await start((d) => [script(d, 'hook.sh', '#!/bin/sh\nprintf "%s\\n" "$@" > "$0.argv"\n')])
    const { approved } = await requestAndApprove(router, `/rollback release ${DIGEST_B}`)
    expect(approved.text).toContain(`Release rollback to ${DIGEST_B} handed off`)
    expect(readFileSync(join(dir, 'hook.sh.argv'), 'utf8').trim()).toBe(DIGEST_B)
  })

  it('a failing hook is reported and audited, and changes nothing else', async () => {
    const { router, desiredFile } = await start((d) => [
      script(d, 'hook.sh', '#!/bin/sh\necho "pulling…"\necho "cannot reach the host" >&2\nexit 3\n'),
    ])
    const earlier = '{ "digest": "earlier" }\n'
    writeFileSync(desiredFile, earlier)
    const before = untouched(router)
    const { approved, id } = await requestAndApprove(router, '/rollback release')
    expect(approved.text).toContain(`Release rollback to ${DIGEST_A} FAILED: the hook exited 3`)
    expect(approved.text).toContain('Hook: cannot reach the host')
    expect(readFileSync(desiredFile, 'utf8')).toBe(earlier)
    expect(untouched(router)).toEqual(before)
    expect(router.app.services.releases.latestDesired()).toMatchObject({
      digest: DIGEST_A,
      status: 'failed',
      detail: 'exited 3',
    })
    const entry = [...router.app.services.audit.entries()].find((e) => e.action === 'rollback-hook')!
    expect(entry).toMatchObject({
      outcome: 'failed',
      approvalId: id,
      args: { status: 'failed', hook: { exitCode: 3, timedOut: false } },
    })
    expect(entry.detail).toContain('exited 3')
    expect(entry.detail).toContain('pulling…\ncannot reach the host')
  })

  it('a hanging hook is killed at its timeout (children too), reported and audited, and changes nothing else', async () => {
    const { router, dir, desiredFile } = await start(
      (d) => [script(d, 'hook.sh', '#!/bin/sh\necho "waiting for the host"\nsleep 30 &\necho $! > "$0.pid"\nwait\n')],
      '500ms',
    )
    const before = untouched(router)
    const { approved } = await requestAndApprove(router, '/rollback release')
    expect(approved.text).toContain('FAILED: the hook timed out after 500ms')
    expect(existsSync(desiredFile)).toBe(false)
    expect(untouched(router)).toEqual(before)
    expect(router.app.services.releases.latestDesired()?.status).toBe('failed')
    const entry = [...router.app.services.audit.entries()].find((e) => e.action === 'rollback-hook')!
    expect(entry).toMatchObject({ outcome: 'failed', args: { hook: { timedOut: true } } })
    expect(entry.detail).toContain('timed out after 500 ms')
    expect(entry.detail).toContain('waiting for the host')
    // The grandchild went with the hook's process group (bounded wait for the kernel to reap it).
    const pid = Number(readFileSync(join(dir, 'hook.sh.pid'), 'utf8'))
    await expect.poll(() => alive(pid), { timeout: 10_000, interval: 50 }).toBe(false)
  })

  it('without a hook, records the request for the host reconciler; refuses unknown and running digests up front', async () => {
    const { router, desiredFile } = await start(() => undefined)
    const { approved } = await requestAndApprove(router, '/rollback release')
    expect(approved.text).toContain(
      'No hook is configured: the host reconciler applies desired-release.json on its next run',
    )
    expect(JSON.parse(readFileSync(desiredFile, 'utf8'))).toMatchObject({ digest: DIGEST_A, status: 'ready' })
    expect(router.app.services.releases.latestDesired()?.status).toBe('pending')

    const unknown = await router.command(`/rollback release sha256:${'c'.repeat(64)}`)
    expect(unknown.text).toContain('was never deployed here')
    const running = await router.command(`/rollback release ${router.app.services.runtime.digest}`)
    expect(running.text).toContain('is the running release already')
    expect((await router.command('/rollback release $(reboot)')).text).toContain('not a digest')
  })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !/^Z/.test(procState(pid))
  } catch {
    return false
  }
}

// A zombie still answers kill(0); it is gone for our purposes.
function procState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? ''
  } catch {
    return ''
  }
}
