import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { openStores } from '../../src/store/open.js'
import { CLI_KEY, captureIo, cliEnv, routerctl, seedDatabase, ME, sudoActor, esc } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

function incidentState(dbPath: string) {
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  try {
    return {
      incident: opened.stores.state.current().state.incident,
      last: [...opened.stores.audit.entries()].at(-1),
      outbox: opened.db.prepare('SELECT text FROM outbox').pluck().all() as string[],
      verify: opened.stores.audit.verify(),
    }
  } finally {
    opened.db.close()
  }
}

describe('routerctl incident on|off', { timeout: 120_000 }, () => {
  it('turns incident mode on with a ttl and off again, audited as break-glass and announced', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir, { SUDO_USER: 'dave' })
    const on = await routerctl(['incident', 'on', '--ttl', '2h', '--reason', 'payments DB failover'], env)
    expect(on.code, on.stderr).toBe(0)
    let seen = incidentState(dbPath)
    expect(seen.incident).toMatchObject({ on: true, by: sudoActor('dave'), reason: 'payments DB failover' })
    expect(seen.incident.expiresAt! - seen.incident.since!).toBe(2 * 3_600_000)
    expect(seen.last).toMatchObject({
      action: 'incident',
      channel: 'cli',
      breakGlass: true,
      osUser: ME,
      args: { mode: 'on', ttlMs: 7_200_000, reason: 'payments DB failover' },
    })
    expect(seen.outbox.at(-1)).toMatch(
      new RegExp(
        `^Incident mode ON by ${esc(sudoActor('dave'))} via routerctl \\(break-glass\\): "payments DB failover"\\. Risky skills are paused`,
      ),
    )

    const off = captureIo(env)
    expect(await main(['incident', 'off', '--reason', 'failover done'], off)).toBe(0)
    seen = incidentState(dbPath)
    expect(seen.incident.on).toBe(false)
    expect(seen.outbox.at(-1)).toBe(
      `Incident mode OFF, turned off by ${sudoActor('dave')} via routerctl (break-glass): "failover done". Risky skills are back.`,
    )
    expect(seen.verify.ok).toBe(true)
  })

  it('refuses a bad ttl (exit 1) and a missing reason (exit 2), changing nothing', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir)
    const bad = captureIo(env)
    expect(await main(['incident', 'on', '--ttl', 'forever', '--reason', 'x'], bad)).toBe(1)
    expect(bad.stderr()).toContain('not a duration')
    expect(await main(['incident', 'on'], captureIo(env))).toBe(2)
    expect(incidentState(dbPath).incident.on).toBe(false)
  })

  it('off while already off is a no-op, still audited (as rejected, never executed)', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const run = captureIo(cliEnv(dir))
    expect(await main(['incident', 'off', '--reason', 'checking'], run)).toBe(0)
    expect(run.stdout()).toContain('already off')
    expect(incidentState(dbPath).last).toMatchObject({
      action: 'incident',
      outcome: 'rejected',
      detail: expect.stringContaining('no change: incident mode is already off'),
    })
  })
})
