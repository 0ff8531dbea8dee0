import { describe, expect, it } from 'vitest'
import { skills } from '../../skills/index.js'
import { main } from '../../src/cli/routerctl.js'
import { cliEnv, rawDb, routerctl, seedDatabase, ME, sudoActor, readStores } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

function inspect(dbPath: string) {
  return readStores(dbPath, (opened) => ({
    pingEnabled: opened.stores.state.isSkillEnabled('ping'),
    flag: opened.stores.state.current().state.skills.ping,
    entries: [...opened.stores.audit.entries()],
    outbox: opened.db.prepare('SELECT text, sent_at FROM outbox ORDER BY id').all() as {
      text: string
      sent_at: number | null
    }[],
    verify: opened.stores.audit.verify(),
  }))
}

describe('routerctl disable-skill / enable-skill', { timeout: 180_000 }, () => {
  it('disables and enables at once, audited as break-glass by the OS user, and queues an announcement', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir, { SUDO_USER: 'carol' })

    const off = await routerctl(['disable-skill', 'ping', '--reason', 'backend flapping'], env)
    expect(off.code, off.stderr).toBe(0)
    expect(off.stdout).toContain('"ping" is off')
    let seen = inspect(dbPath)
    expect(seen.pingEnabled).toBe(false)
    expect(seen.flag).toMatchObject({ enabled: false, reason: 'backend flapping', by: sudoActor('carol') })
    expect(seen.entries.at(-1)).toMatchObject({
      seq: 2,
      actor: sudoActor('carol'),
      osUser: ME,
      channel: 'cli',
      breakGlass: true,
      action: 'disable-skill',
      args: { skill: 'ping', reason: 'backend flapping' },
      outcome: 'executed',
    })
    expect(seen.outbox).toEqual([
      {
        text: `Skill **ping** turned OFF by ${sudoActor('carol')} via routerctl (break-glass): backend flapping (state v1).`,
        sent_at: null,
      },
    ])

    const on = await routerctl(['enable-skill', 'ping', '--reason=fixed upstream'], env)
    expect(on.code, on.stderr).toBe(0)
    seen = inspect(dbPath)
    expect(seen.pingEnabled).toBe(true)
    expect(seen.entries.at(-1)).toMatchObject({
      seq: 3,
      action: 'enable-skill',
      args: { skill: 'ping', reason: 'fixed upstream' },
      breakGlass: true,
      channel: 'cli',
    })
    expect(seen.outbox.at(-1)?.text).toBe(
      `Skill **ping** turned ON by ${sudoActor('carol')} via routerctl (break-glass): fixed upstream (state v2).`,
    )
    expect(seen.verify).toMatchObject({ ok: true, count: 3 })
  })

  it('without SUDO_USER the actor is the OS account', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const r = await routerctl(['disable-skill', 'ping', '--reason', 'x'], cliEnv(dir))
    expect(r.code, r.stderr).toBe(0)
    const { userInfo } = await import('node:os')
    expect(inspect(dbPath).entries.at(-1)).toMatchObject({ actor: userInfo().username, osUser: userInfo().username })
  })

  it('a no-op exits 0, says so, is audited as rejected (never executed) and is not announced', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const r = await routerctl(['enable-skill', 'ping', '--reason', 'just checking'], cliEnv(dir))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Nothing changed: "ping" is already on')
    const seen = inspect(dbPath)
    expect(seen.entries.at(-1)).toMatchObject({
      action: 'enable-skill',
      outcome: 'rejected',
      breakGlass: true,
      detail: 'no change: "ping" is already on',
    })
    expect(seen.outbox).toEqual([])
  })

  it('an unknown skill exits 1 with the list of skills and changes nothing', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const r = await routerctl(['disable-skill', 'pnig', '--reason', 'typo'], cliEnv(dir))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`No skill named "pnig". Known skills: ${skills.map((d) => d.name).join(', ')}.`)
    const seen = inspect(dbPath)
    expect(seen.flag).toBeUndefined()
    expect(seen.outbox).toEqual([])
    expect(seen.entries.at(-1)).toMatchObject({ action: 'disable-skill', outcome: 'rejected', breakGlass: true })
  })

  it('when the audit entry cannot be written, nothing changes', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const db = rawDb(dbPath)
    db.exec("CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    db.close()
    const r = await routerctl(['disable-skill', 'ping', '--reason', 'x'], cliEnv(dir))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/could not write the audit entry \(disk says no\); nothing was changed/)
    const seen = inspect(dbPath)
    expect(seen.pingEnabled).toBe(true)
    expect(seen.outbox).toEqual([])
    expect(seen.entries).toHaveLength(1)
  })
})

describe('routerctl with an audit chain that already fails', () => {
  it('refuses when not one entry verifies (the wrong key): the bot would ignore the change', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 2)
    const err: string[] = []
    // In-process through the same entry point: a real database, real stores, captured streams.
    const code = await main(['disable-skill', 'ping', '--reason', 'key mix-up'], {
      out: () => undefined,
      err: (l) => void err.push(l),
      env: cliEnv(dir, { ROUTER_AUDIT_KEY: 'a-different-key-than-the-bot' }),
      now: Date.now,
    })
    expect(code).toBe(1)
    expect(err.join('\n')).toMatch(/does not verify from its first entry .*ROUTER_AUDIT_KEY.*Nothing was changed/)
    const seen = inspect(dbPath)
    expect(seen.pingEnabled).toBe(true)
    expect(seen.entries).toHaveLength(2)
  })

  it('warns and still makes the change when the chain breaks further back, recording the problem', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 3)
    const db = rawDb(dbPath)
    db.exec('DROP TRIGGER audit_no_update')
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run()
    db.close()
    const err: string[] = []
    const code = await main(['disable-skill', 'ping', '--reason', 'break-glass anyway'], {
      out: () => undefined,
      err: (l) => void err.push(l),
      env: cliEnv(dir),
      now: Date.now,
    })
    expect(code).toBe(0)
    expect(err.join('\n')).toMatch(/warning: the audit chain does not verify at seq 2/)
    const seen = inspect(dbPath)
    expect(seen.pingEnabled).toBe(false)
    expect(seen.entries.at(-1)?.detail).toContain('audit chain did not verify before this entry (seq 2')
  })
})
