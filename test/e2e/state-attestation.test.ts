import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { PATIENCE } from '../helpers/patience.js'
import { OPS, TEST_SECRETS, type TestRouter, startTestRouter, verifyAndStop } from '../helpers/router.js'
import { captureIo, cliEnv, rawDb } from '../helpers/routerctl.js'

const FORGED_STATE = JSON.stringify({
  skills: { ping: { enabled: false, reason: 'forged', by: 'mallory' } },
  incident: { on: false },
  budgets: {},
})

/** What someone with the database file can do: write a state version with plain SQL. */
function insertBehindTheBack(r: TestRouter, state = FORGED_STATE): number {
  const db = rawDb(r.dbPath)
  try {
    return Number(
      db
        .prepare("INSERT INTO runtime_config (state, created_at, actor, reason) VALUES (?, ?, 'mallory', 'sqlite3')")
        .run(state, Date.now()).lastInsertRowid,
    )
  } finally {
    db.close()
  }
}

describe('runtime state is applied only when the audit chain commits to it', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('a runtime_config row inserted with plain SQL is ignored, logged, announced and shown in /status', async () => {
    r = await startTestRouter()
    const version = insertBehindTheBack(r)
    expect(version).toBe(1)
    // Not applied: ping still answers, and the state the router uses is still v0.
    expect((await r.say('ping')).text).toBe('pong')
    expect(r.app.services.state.current().version).toBe(0)

    const status = await r.command('/status')
    expect(status.title).toContain('UNAUDITED STATE IGNORED')
    expect(status.text).toContain('**IGNORED state version(s):** v1: written outside the audit trail')
    const json = (await (await fetch(`${r.httpUrl}/status`)).json()) as Record<string, unknown>
    expect(json).toMatchObject({ stateVersion: 0, ignoredStateVersions: [1] })
    expect(r.logs.records().find((l) => l.msg?.toString().startsWith('runtime state version ignored'))).toMatchObject({
      level: 40,
      version: 1,
      actor: 'mallory',
    })
    const notice = await r.sim.waitForReply(
      { conversationId: OPS, predicate: (m) => m.kind === 'group' && m.text.includes('Runtime state v1') },
      PATIENCE,
    )
    expect(notice.text).toContain('written outside the audit trail')

    // routerctl reads through the same store: it does not apply it either, and says so.
    const io = captureIo(cliEnv(r.dir, { ROUTER_DB: r.dbPath, ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey }))
    expect(await main(['status'], io), io.stderr()).toBe(0)
    expect(io.stdout()).toMatch(/state version\s+0 \(IGNORED, not in the audit trail: v1\)/)

    // A real change goes on top, as v2, committed to by its entry; v1 never counts, nor can it be restored.
    expect((await r.command('/disable-skill help')).text).toContain('"help" is off (state v2)')
    expect(r.app.services.state.current()).toMatchObject({ version: 2 })
    expect(r.app.services.state.current().state.skills.ping).toBeUndefined()
    expect((await r.command('/rollback config 1')).text).toContain('written outside the audit trail')
  })

  it('an audit row forged without the key does not make a version count, nor does editing an attested one', async () => {
    r = await startTestRouter()
    expect((await r.command('/disable-skill help')).text).toContain('(state v1)')
    const version = insertBehindTheBack(r)
    const db = rawDb(r.dbPath)
    // A plausible entry for it, but its hash cannot be made without the audit key.
    const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as {
      seq: number
      hash: string
    }
    db.prepare(`INSERT INTO audit (seq, ts, actor, channel, action, args, outcome, prev_hash, hash)
      VALUES (?, ?, 'alice', 'dingtalk', 'disable-skill', ?, 'executed', ?, ?)`).run(
      last.seq + 1,
      new Date().toISOString(),
      JSON.stringify({ skill: 'ping', stateVersion: version, stateHash: 'f'.repeat(64) }),
      last.hash,
      'e'.repeat(64),
    )
    expect((await r.say('ping')).text).toBe('pong')
    expect(r.app.services.state.current().version).toBe(1)
    expect(r.app.services.state.unattested()).toEqual([version])
    // Editing the content of the attested v1 breaks its content hash: it stops counting too.
    db.prepare('UPDATE runtime_config SET state = ? WHERE version = 1').run(FORGED_STATE)
    db.prepare('DELETE FROM audit WHERE seq = ?').run(last.seq + 1)
    db.close()
    expect((await r.say('ping')).text).toBe('pong')
    expect(r.app.services.state.current().version).toBe(0)
    expect(r.app.services.state.unattested()).toEqual([version, 1])
  })
})
