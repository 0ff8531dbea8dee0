import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { ConfigError } from '../config.js'

/** Bytes of a generated key, and the fewest a key file may hold: an HMAC-SHA256 key shorter than this is weak. */
const KEY_BYTES = 32

/**
 * The HMAC key of the audit chain and of approval signatures: ROUTER_AUDIT_KEY when set, else a key
 * generated once and kept beside the database with mode 0600, so routerctl on the host finds the same key.
 * A key file that is empty, short, not hex, or readable by group or others is refused (as ssh refuses such a
 * private key): a key anyone on the host can read lets them rewrite the chain, and a short one forks it silently.
 * @throws ConfigError saying how to fix the key.
 * @example const key = loadAuditKey(config.auditKey, config.db)
 */
export function loadAuditKey(configured: string | undefined, dbFile: string): Buffer {
  if (configured !== undefined) {
    if (configured.trim() === '')
      throw new ConfigError(['ROUTER_AUDIT_KEY is empty: set it to at least 16 characters, or unset it'])
    return Buffer.from(configured, 'utf8')
  }
  const file = dbFile === ':memory:' ? undefined : join(dirname(resolve(dbFile)), 'audit.key')
  if (!file) return randomBytes(KEY_BYTES)
  try {
    return readKeyFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = randomBytes(KEY_BYTES)
  try {
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file)
    throw err
  }
  chmodSync(file, 0o600)
  return key
}

function readKeyFile(file: string): Buffer {
  const mode = statSync(file).mode & 0o777
  const fix = `or remove it to have a new one generated (only on a fresh database: a new key cannot verify the old chain)`
  if ((mode & 0o077) !== 0) {
    throw new ConfigError([
      `audit key ${file} has mode 0${mode.toString(8)}, readable by group or others: run chmod 600 ${file}`,
    ])
  }
  const text = readFileSync(file, 'utf8').trim()
  if (text === '')
    throw new ConfigError([`audit key ${file} is empty: write ${KEY_BYTES * 2} hex digits into it, ${fix}`])
  if (!/^(?:[0-9a-f]{2})+$/i.test(text)) {
    throw new ConfigError([
      `audit key ${file} is not hex: it must hold ${KEY_BYTES * 2} hex digits (openssl rand -hex ${KEY_BYTES}), ${fix}`,
    ])
  }
  const key = Buffer.from(text, 'hex')
  if (key.length < KEY_BYTES) {
    throw new ConfigError([
      `audit key ${file} holds ${key.length} bytes, fewer than ${KEY_BYTES}: write ${KEY_BYTES * 2} hex digits (openssl rand -hex ${KEY_BYTES}), ${fix}`,
    ])
  }
  return key
}
