import { describe, expect, it } from 'vitest'
import { cliEnv, ME, routerctl, seedDatabase, readStores } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

function lastEntry(dbPath: string) {
  return readStores(dbPath, (opened) => [...opened.stores.audit.entries()].at(-1)!)
}

// The actor of a break-glass entry comes from the process's uid; variables are claims at most.
describe('routerctl records who ran it from the uid, never from a variable alone', { timeout: 120_000 }, () => {
  it('records the OS account and, separately, SUDO_USER; a spoofed USER and LOGNAME change nothing', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const env = cliEnv(dir, { USER: 'mallory', LOGNAME: 'mallory', SUDO_USER: 'alice' })
    const run = await routerctl(['disable-skill', 'ping', '--reason', 'flapping'], env)
    expect(run.code, run.stderr).toBe(0)
    const entry = lastEntry(dbPath)
    expect(entry).toMatchObject({
      action: 'disable-skill',
      channel: 'cli',
      breakGlass: true,
      osUser: ME,
      actor: `${ME} (sudo: alice)`,
      args: { skill: 'ping', reason: 'flapping', sudoUser: 'alice' },
    })
    expect(JSON.stringify(entry)).not.toContain('mallory')
  })

  it('without SUDO_USER the actor is the account alone, whatever USER says', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const run = await routerctl(['disable-skill', 'ping', '--reason', 'x'], cliEnv(dir, { USER: 'mallory' }))
    expect(run.code, run.stderr).toBe(0)
    const entry = lastEntry(dbPath)
    expect(entry).toMatchObject({ actor: ME, osUser: ME })
    expect(entry.args.sudoUser).toBeUndefined()
    expect(JSON.stringify(entry)).not.toContain('mallory')
  })

  it('a SUDO_USER that is not a user name is recorded as unreadable, not as text', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir)
    const run = await routerctl(
      ['disable-skill', 'ping', '--reason', 'x'],
      cliEnv(dir, { SUDO_USER: 'alice; rm -rf / #' }),
    )
    expect(run.code, run.stderr).toBe(0)
    expect(lastEntry(dbPath)).toMatchObject({
      osUser: ME,
      actor: `${ME} (sudo: unreadable(17 chars))`,
      args: { sudoUser: 'unreadable(17 chars)' },
    })
  })
})
