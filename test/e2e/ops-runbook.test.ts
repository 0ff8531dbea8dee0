import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RESULT_FILE } from '../../src/admin/rollback-release.js'
import { probeDestination } from '../../src/admin/runbook-probe.js'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import { skills as realSkills } from '../../skills/index.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'

let r: TestRouter | undefined
let listener: Server | undefined
afterEach(async () => {
  await r?.stop()
  r = undefined
  listener?.close()
  listener = undefined
})

async function listen(): Promise<Server> {
  const server = createServer((socket) => socket.destroy())
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return server
}

/** A loopback port nothing listens on: bound once to get a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = await listen()
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

function skill(name: string, egress: string[]): SkillDefinition<unknown> {
  return defineSkill({
    name,
    description: name,
    example: name,
    match: new RegExp(`^${name}$`),
    risk: 'read',
    egress,
    handler: () => name,
  }) as SkillDefinition<unknown>
}

describe('/runbook', () => {
  it('reports readiness, error rate, digest and deploy, known-good, and probes each declared destination', async () => {
    listener = await listen()
    const open = `127.0.0.1:${(listener.address() as AddressInfo).port}`
    const closed = `127.0.0.1:${await closedPort()}`
    r = await startTestRouter({ skills: [...realSkills, skill('inventory', [open]), skill('billing', [closed, open])] })
    const s = r.app.services
    await r.say('ping')
    const text = (await r.command('/runbook')).text
    expect(text).toContain('- **Ready:** yes')
    expect(text).toMatch(/- \*\*Errors \(15 min\):\*\* 0\/\d+ = 0\.0%/)
    expect(text).toContain(`- **Running:** ${s.runtime.digest} (v${s.runtime.version}), deployed `)
    expect(text).toContain('by unknown')
    expect(text).toContain('- **Last known-good:** none yet')
    expect(text).toContain('- **Egress:** 1/2 reachable')
    expect(text).toMatch(new RegExp(`ok ${open} tcp \\d+ ms \\(inventory, billing\\)`))
    expect(text).toContain(`FAIL ${closed} tcp: ECONNREFUSED (billing)`)
    // The call is committed first; the probes ran after it and are their own entry, linked to it.
    const [call, probe] = [...s.audit.entries()].filter((e) => e.action.startsWith('runbook'))
    expect(call).toMatchObject({ action: 'runbook', outcome: 'executed' })
    expect(probe).toMatchObject({ action: 'runbook-probe', outcome: 'executed', args: { for: call!.seq, ready: true } })
    expect(probe!.args.probes).toEqual(
      expect.arrayContaining([expect.objectContaining({ destination: closed, ok: false })]),
    )

    const deploy = s.releases.forDigest(s.runtime.digest)!
    s.releases.markKnownGood(deploy.id, 0, s.now())
    expect((await r.command('/runbook')).text).toContain('- **Last known-good:** this release, since ')
  })

  it('says so when no skill declares a destination, and shows a not-ready check', async () => {
    r = await startTestRouter()
    const s = r.app.services
    const real = s.runtime.readiness!
    s.runtime.readiness = () => ({
      ...real(),
      ready: false,
      checks: { ...real().checks, database: { ok: false, detail: 'SQLITE_READONLY' } },
    })
    const text = (await r.command('/runbook')).text
    expect(text).toContain('- **Ready:** NO: database (SQLITE_READONLY)')
    expect(text).toContain('- **Egress:** no skill declares a destination')
  })
})

describe('/runbook and the host reconciler', () => {
  it("shows the host's report of the pending rollback: FAILED instead of pending, a retry, an unreadable file", async () => {
    r = await startTestRouter()
    const s = r.app.services
    const asked = s.releases.addDesired({ digest: `sha256:${'a'.repeat(64)}`, requestedBy: 'alice' }, s.now())
    const result = join(dirname(s.config.db), RESULT_FILE)
    const write = (report: Record<string, unknown>) =>
      writeFileSync(result, JSON.stringify({ digest: asked.digest, at: new Date().toISOString(), ...report }))
    const rollbackLine = async () =>
      (await r!.command('/runbook')).text.split('\n').find((l) => l.includes(`#${asked.id} → ${asked.digest}`))

    expect(await rollbackLine()).toMatch(/^- \*\*Rollback pending:\*\* .*asked by alice [^;]*$/)
    // A report about an earlier request says nothing about this one.
    write({ id: asked.id - 1, outcome: 'failed', detail: 'an older failure' })
    expect(await rollbackLine()).not.toContain('older')
    write({ id: asked.id, outcome: 'retrying', detail: 'could not pull it after 5 attempts' })
    expect(await rollbackLine()).toMatch(/^- \*\*Rollback pending:\*\* .*; host: retrying [^:]+: could not pull it/)
    write({ id: asked.id, outcome: 'failed', detail: 'did not verify within 120s, last answer: no answer' })
    const failed = await rollbackLine()
    expect(failed).toContain(
      `- **Rollback #${asked.id} → ${asked.digest} FAILED on the host:** did not verify within 120s, last answer: no answer (`,
    )
    expect(failed).toContain('); asked by alice')
    expect(failed).not.toContain('pending')
    writeFileSync(result, '{"id": ')
    expect(await rollbackLine()).toContain("; the host's reconcile-result.json cannot be read (not JSON)")
  })
})

describe('egress probe', () => {
  it('TLS: a certificate that does not verify fails with its code; a peer that never answers times out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-tls-'))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    const tlsServer = createTlsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (s) => s.end(),
    )
    tlsServer.listen(0, '127.0.0.1')
    await once(tlsServer, 'listening')
    // Accepts the TCP connection and then says nothing: a TLS handshake can only time out.
    const silent = createServer(() => undefined)
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    try {
      const selfSigned = await probeDestination(`127.0.0.1:${(tlsServer.address() as AddressInfo).port}`, 5000, {
        tls: true,
      })
      expect(selfSigned).toMatchObject({ ok: false, kind: 'tls', detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
      const hung = await probeDestination(`127.0.0.1:${(silent.address() as AddressInfo).port}`, 500, { tls: true })
      expect(hung).toMatchObject({ ok: false, kind: 'tls', detail: 'no answer within 500 ms' })
      expect(await probeDestination(`127.0.0.1:${(silent.address() as AddressInfo).port}`, 5000)).toMatchObject({
        ok: true,
        kind: 'tcp',
      })
    } finally {
      tlsServer.close()
      silent.close()
    }
  })
})
