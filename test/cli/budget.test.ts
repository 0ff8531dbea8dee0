import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { captureIo, cliEnv, routerctl, seedDatabase, ME, readStores } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

function inspect(dbPath: string) {
  return readStores(dbPath, (opened) => ({
    budgets: opened.stores.state.current().state.budgets,
    entries: [...opened.stores.audit.entries()],
    verify: opened.stores.audit.verify(),
  }))
}

describe('routerctl budget', { timeout: 120_000 }, () => {
  it('shows budgets, then raises one at once: versioned, audited with old and new, break-glass', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir, { SUDO_USER: 'erin' })
    const show = captureIo(env)
    expect(await main(['budget', '--route', 'ping'], show)).toBe(0)
    expect(show.stdout().split('\n')[0]).toBe('ping: context=4000 (default) diag=2048 (default) tools=3 (default)')

    const set = await routerctl(
      ['budget', 'set', 'ping', '--context', '8000', '--tools', '1', '--reason', 'long incident threads'],
      env,
    )
    expect(set.code, set.stderr).toBe(0)
    const seen = inspect(dbPath)
    expect(seen.budgets.ping).toEqual({ maxContextTokens: 8000, maxToolCalls: 1 })
    // One entry, committed with the change: what was asked, the old and new values, the state it wrote.
    expect(seen.entries.filter((e) => e.action === 'budget')).toEqual([
      expect.objectContaining({
        channel: 'cli',
        breakGlass: true,
        osUser: ME,
        outcome: 'executed',
        args: expect.objectContaining({
          route: 'ping',
          context: '8000',
          tools: '1',
          reason: 'long incident threads',
          old: { context: 4000, diag: 2048, tools: 3 },
          new: { context: 8000, diag: 2048, tools: 1 },
          stateVersion: 1,
        }),
      }),
    ])
    expect(seen.verify.ok).toBe(true)
  })

  it('refuses an unknown route and bad values (exit 1) and a missing reason (exit 2)', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir)
    const unknown = captureIo(env)
    expect(await main(['budget', 'set', 'nope', '--context', '10', '--reason', 'x'], unknown)).toBe(1)
    expect(unknown.stderr()).toContain('No route named "nope"')
    expect(await main(['budget', 'set', 'ping', '--reason', 'x'], captureIo(env))).toBe(1)
    expect(await main(['budget', 'set', 'ping', '--context', 'lots', '--reason', 'x'], captureIo(env))).toBe(2)
    expect(await main(['budget', 'set', 'ping', '--context', '10'], captureIo(env))).toBe(2)
    expect(inspect(dbPath).budgets).toEqual({})
  })
})
