import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * Creates the folder of `file` (and any missing parents) with mode 0700, whatever the umask. A folder that
 * already exists keeps its mode: it may be a mount whose owner chose it.
 * @example ensurePrivateDir('./data/router.db') // ./data is drwx------ when it did not exist
 */
export function ensurePrivateDir(file: string): void {
  const dir = dirname(resolve(file))
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (first === undefined) return
  // mkdir's mode passes through the umask; chmod does not. Every folder created here gets 0700.
  for (let d = dir; d.length >= first.length; d = dirname(d)) {
    chmodSync(d, 0o700)
    if (d === first) break
  }
}

/**
 * Makes `file` 0600 (creating it empty when missing), and its SQLite companions `-wal` and `-shm` when they
 * exist. SQLite creates those with the mode of the database file, so a 0600 database keeps them 0600 too.
 * A file owned by someone else (routerctl run by another user) is left as it is: chmod would fail anyway.
 */
export function makePrivate(file: string, companions: readonly string[] = ['-wal', '-shm']): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  for (const path of [file, ...companions.map((c) => file + c)]) {
    try {
      chmodSync(path, 0o600)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'EPERM') throw err
    }
  }
}
