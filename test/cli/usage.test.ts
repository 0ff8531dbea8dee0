import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { cliCommands } from '../../src/cli/commands/index.js'
import { captureIo, cliEnv, routerctl } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

// Usage errors are decided before any database is touched: none of these runs has one.
describe('routerctl usage errors exit 2 with usage on stderr', { timeout: 180_000 }, () => {
  const dir = tempDir()
  const env = cliEnv(dir)

  it.each([
    [['--help'], /usage: routerctl <command>/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['status', '--bogus'], /unknown option --bogus/],
  ])('a real process: routerctl %j', async (args, message) => {
    const r = await routerctl(args, env)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toContain('usage: routerctl')
    expect(r.stdout).toBe('')
  })

  it('a real process: a mutation without --reason is a usage error and touches nothing', async () => {
    const r = await routerctl(['disable-skill', 'ping'], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--reason "<text>" is required')
    expect(r.stderr).toContain('usage: routerctl disable-skill <skill> --reason "<text>"')
    expect(existsSync(join(dir, 'router.db'))).toBe(false)
  })

  // The same entry point in-process (no mocks: a real main() with captured streams), for the long tail.
  it.each([
    [[], /no command given/],
    [['audit'], /audit needs one of: export \| verify/],
    [['audit', 'export', '--since', 'yesterday'], /--since: expected an entry number/],
    [['audit', 'export', '--since'], /--since needs a value/],
    [['skills', 'extra'], /unexpected argument "extra"/],
    [['skills', '--json=yes'], /--json takes no value/],
    [['disable-skill'], /missing <skill>/],
    [['disable-skill', 'ping', '--reason'], /--reason needs a value/],
    [['enable-skill', 'ping', '--reason', '   '], /--reason needs a value/],
    [['enable-skill', 'ping', '--reason', 'a', '--reason', 'b'], /--reason given twice/],
    [['enable-skill', 'ping', '--reason', 'x'.repeat(501)], /keep the reason under 500 characters/],
    [['disable-skill', '--help'], /usage: routerctl disable-skill <skill> --reason "<text>"/],
  ])('routerctl %j', async (args, message) => {
    const io = captureIo(env)
    expect(await main(args, io)).toBe(2)
    expect(io.stderr()).toMatch(message)
    expect(io.stdout()).toBe('')
  })

  it('a reason may start with a dash, and -h inside it is not a help request', async () => {
    const io = captureIo(env)
    // Parses fine, then stops at the missing database: exit 1, not 2.
    expect(await main(['disable-skill', 'ping', '--reason', '-h rollback pending'], io)).toBe(1)
    expect(io.stderr()).toContain('no database at')
  })

  it('every mutating command requires --reason', () => {
    for (const c of cliCommands.filter((c) => c.mutates)) expect(c.flags.reason?.required, c.name).toBe(true)
  })
})
