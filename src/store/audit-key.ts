import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/**
 * The HMAC key of the audit chain and of approval signatures: ROUTER_AUDIT_KEY when set, else a key
 * generated once and kept beside the database with mode 0600, so routerctl on the host finds the same key.
 */
export function loadAuditKey(configured: string | undefined, dbFile: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8')
  const file = dbFile === ':memory:' ? undefined : join(dirname(resolve(dbFile)), 'audit.key')
  if (!file) return randomBytes(32)
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = randomBytes(32)
  try {
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex')
    throw err
  }
  chmodSync(file, 0o600)
  return key
}
