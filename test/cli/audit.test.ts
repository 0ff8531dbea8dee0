import { describe, expect, it } from 'vitest'
import { openStores } from '../../src/store/open.js'
import { CLI_KEY, cliEnv, rawDb, routerctl, seedDatabase, sudoActor } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

const CONTRACT_FIELDS = [
  'seq',
  'ts',
  'actor',
  'channel',
  'action',
  'args',
  'outcome',
  'approvalId',
  'breakGlass',
  'prevHash',
  'hash',
]

describe('routerctl audit', { timeout: 180_000 }, () => {
  it('export prints one JSON object per entry with every contract field; --since skips older ones', async () => {
    const dir = tempDir()
    seedDatabase(dir, 3)
    const env = cliEnv(dir, { SUDO_USER: 'dave' })
    expect((await routerctl(['disable-skill', 'ping', '--reason', 'export test'], env)).code).toBe(0)

    const all = await routerctl(['audit', 'export'], env)
    expect(all.code).toBe(0)
    const lines = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4])
    for (const line of lines) {
      for (const field of CONTRACT_FIELDS) expect(line, field).toHaveProperty(field)
      expect(new Date(line.ts as string).toISOString()).toBe(line.ts)
    }
    expect(lines[3]).toMatchObject({
      actor: sudoActor('dave'),
      channel: 'cli',
      breakGlass: true,
      approvalId: null,
      outcome: 'executed',
      prevHash: lines[2]!.hash,
    })

    const since = await routerctl(['audit', 'export', '--since', '2'], env)
    expect(
      since.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([3, 4])
  })

  it('verify passes on an intact chain and names the first entry edited behind its back', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 4)
    const ok = await routerctl(['audit', 'verify'], cliEnv(dir))
    expect(ok.code).toBe(0)
    const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
    const head = opened.stores.audit.head()
    opened.db.close()
    expect(ok.stdout.trim()).toBe(`audit chain intact: 4 entries, head 4:${head.hash}`)

    // What an attacker with the file would do: drop the append-only trigger, then rewrite history.
    const db = rawDb(dbPath)
    db.exec('DROP TRIGGER audit_no_update')
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run()
    db.close()
    const broken = await routerctl(['audit', 'verify'], cliEnv(dir))
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain('audit chain broken at seq 3: hash does not match the entry content')
    expect(broken.stdout).toBe('')
  })

  it('verify with the wrong key fails at the first entry and says to check the key', async () => {
    const dir = tempDir()
    seedDatabase(dir, 2)
    const r = await routerctl(['audit', 'verify'], cliEnv(dir, { ROUTER_AUDIT_KEY: 'not-the-key-the-bot-uses' }))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('audit chain broken at seq 1')
    expect(r.stderr).toContain('check that ROUTER_AUDIT_KEY')
  })
})
