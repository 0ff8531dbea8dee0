import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/routerctl.js'
import { shortHead } from '../../src/store/audit.js'
import { openStores } from '../../src/store/open.js'
import { CLI_KEY, captureIo, cliEnv, rawDb, seedDatabase } from '../helpers/routerctl.js'
import { tempDir } from '../helpers/temp-dir.js'

function headOf(dbPath: string) {
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  try {
    return opened.stores.audit.head()
  } finally {
    opened.db.close()
  }
}

function entryAt(dbPath: string, seq: number) {
  const opened = openStores({ db: dbPath, auditKey: CLI_KEY })
  try {
    return opened.stores.audit.get(seq)!
  } finally {
    opened.db.close()
  }
}

async function verify(dir: string, ...extra: string[]) {
  const io = captureIo(cliEnv(dir))
  const code = await main(['audit', 'verify', ...extra], io)
  return { code, out: io.stdout(), err: io.stderr() }
}

describe('routerctl audit verify --expect-head (truncation shows)', { timeout: 120_000 }, () => {
  it('passes on an intact chain, printing the entry count and the head, and accepts the announced short hash', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 5)
    const head = headOf(dbPath)
    const plain = await verify(dir)
    expect(plain.code, plain.err).toBe(0)
    expect(plain.out).toBe(`audit chain intact: 5 entries, head 5:${head.hash}`)
    // The short form the admin conversations see, and the full hash both name the same head.
    for (const expected of [shortHead(head), `5:${head.hash}`]) {
      const ok = await verify(dir, '--expect-head', expected)
      expect(ok.code, ok.err).toBe(0)
      expect(ok.out).toContain(`contains the expected head ${expected}`)
    }
    // An older announced head is still in the chain.
    const older = entryAt(dbPath, 3)
    expect((await verify(dir, '--expect-head', `${older.seq}:${older.hash.slice(0, 12)}`)).code).toBe(0)
  })

  it('deleting the newest rows still verifies as a chain, but fails against the announced head (exit 1)', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 5)
    const announced = shortHead(headOf(dbPath))
    // What an attacker on the host would do to hide their last actions.
    const db = rawDb(dbPath)
    db.prepare('DELETE FROM audit WHERE seq > 3').run()
    db.close()
    const plain = await verify(dir)
    expect(plain.code).toBe(0)
    expect(plain.out).toMatch(/^audit chain intact: 3 entries, head 3:[0-9a-f]{64}$/)
    const anchored = await verify(dir, '--expect-head', announced)
    expect(anchored.code).toBe(1)
    expect(anchored.err).toContain(`does not contain the expected head ${announced}`)
    expect(anchored.err).toContain('there is no entry 5 any more: the chain ends at 3:')
    expect(anchored.out).toBe('')
  })

  it('fails when every row is deleted, or the head was rewritten; refuses a malformed head (exit 2)', async () => {
    const dir = tempDir()
    const dbPath = seedDatabase(dir, 2)
    const announced = shortHead(headOf(dbPath))
    const wrong = `2:${'0'.repeat(12)}`
    const rewritten = await verify(dir, '--expect-head', wrong)
    expect(rewritten.code).toBe(1)
    expect(rewritten.err).toContain('entry 2 has a different hash than announced')
    const db = rawDb(dbPath)
    db.prepare('DELETE FROM audit').run()
    db.close()
    expect((await verify(dir)).out).toMatch(/^audit chain intact: 0 entries, head 0:0{64}$/)
    expect((await verify(dir, '--expect-head', announced)).code).toBe(1)
    for (const bad of ['5', 'abc:def123', '5:xyz', '5:12'])
      expect((await verify(dir, '--expect-head', bad)).code).toBe(2)
  })
})
