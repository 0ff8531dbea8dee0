import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { openStores } from '../../src/store/open.js'
import { DAY, DIGEST_A, DIGEST_B } from '../helpers/ops-services.js'
import { CLI_KEY, captureIo, cliEnv, seedDatabase } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

// The bot's configuration is read once per run, at the start, and every command works from that reading:
// the environment handed to routerctl counts how often ROUTER_CONFIG (the first thing a config load reads) is asked for.
function countingEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; loads: () => number } {
  let loads = 0
  const counted = new Proxy(env, {
    get(target, key, receiver) {
      if (key === 'ROUTER_CONFIG') loads++
      return Reflect.get(target, key, receiver) as unknown
    },
  })
  return { env: counted, loads: () => loads }
}

/** A bot database with a known-good release and a newer deploy, so a release rollback has a target. */
function seed(): string {
  const dir = tempDir()
  const opened = openStores({ db: seedDatabase(dir), auditKey: CLI_KEY })
  const { releases } = opened.stores
  const good = releases.record({ digest: DIGEST_A, by: 'ci', channel: 'cli' }, Date.now() - 2 * DAY).deploy
  releases.markKnownGood(good.id, 1, Date.now() - DAY)
  releases.record({ digest: DIGEST_B, by: 'ci', channel: 'cli' }, Date.now() - DAY)
  opened.db.close()
  return dir
}

const ready = createServer((_req, res) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true,"checks":{}}'),
)
let port = ''
beforeAll(async () => {
  ready.listen(0, '127.0.0.1')
  await once(ready, 'listening')
  port = String((ready.address() as AddressInfo).port)
})
afterAll(() => void ready.close())

describe('routerctl reads the bot configuration once per run', { timeout: 120_000 }, () => {
  const runs: string[][] = [
    ['status'],
    ['access', 'review'],
    ['budget'],
    ['skills'],
    ['rollback', 'release', '--dry-run', '--reason', 'drill'],
    ['disable-skill', 'ping', '--reason', 'drill'],
  ]
  for (const argv of runs) {
    it(`routerctl ${argv.join(' ')}`, async () => {
      const dir = seed()
      const { env, loads } = countingEnv(cliEnv(dir, { ROUTER_OPERATORS: 'op1:alice', ROUTER_HTTP_PORT: port }))
      const io = captureIo(env)
      expect(await main(argv, io), io.stderr()).toBe(0)
      expect(loads()).toBe(1)
    })
  }

  it('and with a configuration that does not validate, warns once and carries on without it', async () => {
    const dir = seed()
    const { env, loads } = countingEnv(cliEnv(dir, { ROUTER_OPERATORS: 'not-a-pair', ROUTER_HTTP_PORT: port }))
    const io = captureIo(env)
    expect(await main(['rollback', 'release', '--dry-run', '--reason', 'drill'], io), io.stderr()).toBe(0)
    expect(io.stderr().match(/does not validate; continuing with ROUTER_DB/g)).toHaveLength(1)
    expect(io.stderr()).toContain('the bot configuration does not validate, so no rollback hook runs')
    // The load, then the fallback that looks for ROUTER_DB and the audit key in the same file.
    expect(loads()).toBe(2)
  })
})
