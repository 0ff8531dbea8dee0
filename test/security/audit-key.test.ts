import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createRouterApp } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { main as routerctl } from '../../src/cli/routerctl.js'
import { commands } from '../../commands/index.js'
import { createSkills } from '../../skills/index.js'
import { captureLogs } from '../helpers/log-capture.js'
import { Cleanup } from '../helpers/cleanup.js'
import { captureIo, cliEnv } from '../helpers/routerctl.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'

// The audit key signs the chain and the approvals: a key anyone on the host can read lets them rewrite
// history, and a truncated or garbled one silently forks the chain. Both the bot and routerctl refuse such
// a key file, saying how to fix it, before anything is written.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const GOOD = 'ab'.repeat(32)
const BAD: [name: string, content: string, mode: number, message: RegExp][] = [
  ['empty', '\n', 0o600, /is empty: write 64 hex digits into it/],
  ['short', 'ab'.repeat(16), 0o600, /holds 16 bytes, fewer than 32: write 64 hex digits \(openssl rand -hex 32\)/],
  ['not hex', 'zz'.repeat(32), 0o600, /is not hex: it must hold 64 hex digits/],
  ['odd hex', `${GOOD}a`, 0o600, /is not hex/],
  ['group-readable', GOOD, 0o640, /has mode 0640, readable by group or others: run chmod 600/],
  ['world-readable', GOOD, 0o604, /has mode 0604, readable by group or others: run chmod 600/],
]

function withKeyFile(content: string, mode: number) {
  const dir = cleanup.add(tempDir(), removeDir)
  const key = join(dir, 'audit.key')
  writeFileSync(key, content)
  chmodSync(key, mode)
  return { dir, key, db: join(dir, 'router.db') }
}

function start(db: string) {
  const config = loadConfig({ ROUTER_DB: db, ROUTER_HTTP_PORT: '0' })
  return createRouterApp(config, { logger: captureLogs().handle, skills: createSkills(config), commands })
}

describe('a bad audit.key refuses the start', () => {
  for (const [name, content, mode, message] of BAD) {
    it(`${name}: the bot refuses before creating the database, and routerctl refuses too`, async () => {
      const { dir, key, db } = withKeyFile(content, mode)
      let thrown: unknown
      try {
        start(db)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(ConfigError)
      expect(String((thrown as Error).message)).toMatch(message)
      expect(String((thrown as Error).message)).toContain(key)
      expect(existsSync(db)).toBe(false)

      writeFileSync(db, '') // routerctl refuses a missing database first; give it one
      const io = captureIo(cliEnv(dir, { ROUTER_AUDIT_KEY: undefined }))
      expect(await routerctl(['audit', 'verify'], io)).toBe(1)
      expect(io.stderr()).toMatch(message)
    })
  }

  it('an empty ROUTER_AUDIT_KEY is a configuration error, not "generate one"', () => {
    const dir = cleanup.add(tempDir(), removeDir)
    expect(() => loadConfig({ ROUTER_DB: join(dir, 'router.db'), ROUTER_AUDIT_KEY: '' })).toThrow(
      /ROUTER_AUDIT_KEY is set but empty/,
    )
  })

  it('with none configured, generates a 32-byte key beside the database with mode 0600 and reuses it', () => {
    const dir = cleanup.add(tempDir(), removeDir)
    const db = join(dir, 'data', 'router.db')
    start(db).services.audit.append({ actor: 't', channel: 'system', action: 'start', args: {}, outcome: 'executed' })
    const key = join(dir, 'data', 'audit.key')
    expect((statSync(key).mode & 0o777).toString(8)).toBe('600')
    expect(statSync(key).size).toBe(65) // 64 hex digits and a newline
    // The same file is read back and accepted: the chain written with it verifies.
    expect(start(db).services.audit.verify().ok).toBe(true)
  })
})
