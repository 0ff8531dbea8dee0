import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import type { CliIo } from '../../src/cli/command.js'
import { openStores } from '../../src/store/open.js'
import { CLI_KEY, cliEnv, routerctl, seedDatabase, tempDir } from './helpers.js'

const T0 = Date.UTC(2026, 10, 24, 3, 0)

/** The real main() in-process with captured streams and a fixed clock (one spawn covers the process path). */
function io(env: NodeJS.ProcessEnv, now = T0) {
  const out: string[] = []
  const err: string[] = []
  const value: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env, now: () => now }
  return { value, out, err }
}

function incidentState(dbPath: string) {
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  try {
    return { incident: opened.stores.state.current().state.incident, last: [...opened.stores.audit.entries()].at(-1), outbox: opened.db.prepare('SELECT text FROM outbox').pluck().all() as string[], verify: opened.stores.audit.verify() }
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
    expect(seen.incident).toMatchObject({ on: true, by: 'dave', reason: 'payments DB failover' })
    expect(seen.incident.expiresAt! - seen.incident.since!).toBe(2 * 3_600_000)
    expect(seen.last).toMatchObject({ action: 'incident', channel: 'cli', breakGlass: true, osUser: 'dave', args: { mode: 'on', ttlMs: 7_200_000, reason: 'payments DB failover' } })
    expect(seen.outbox.at(-1)).toBe('Break-glass: dave turned incident mode ON over SSH: payments DB failover')

    const off = io(env, Date.now())
    expect(await main(['incident', 'off', '--reason', 'failover done'], off.value)).toBe(0)
    seen = incidentState(dbPath)
    expect(seen.incident.on).toBe(false)
    expect(seen.outbox.at(-1)).toBe('Break-glass: dave turned incident mode OFF over SSH: failover done')
    expect(seen.verify.ok).toBe(true)
  })

  it('refuses a bad ttl (exit 1) and a missing reason (exit 2), changing nothing', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir)
    const bad = io(env)
    expect(await main(['incident', 'on', '--ttl', 'forever', '--reason', 'x'], bad.value)).toBe(1)
    expect(bad.err.join('\n')).toContain('not a duration')
    expect(await main(['incident', 'on'], io(env).value)).toBe(2)
    expect(incidentState(dbPath).incident.on).toBe(false)
  })

  it('off while already off is a no-op, still audited', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const run = io(cliEnv(dir))
    expect(await main(['incident', 'off', '--reason', 'checking'], run.value)).toBe(0)
    expect(run.out.join('\n')).toContain('already off')
    expect(incidentState(dbPath).last).toMatchObject({ action: 'incident', detail: expect.stringContaining('no change') })
  })
})
