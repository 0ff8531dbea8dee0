import { accessSync, constants } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * Turns "cannot create or open the database" into what to fix: which folder, which uid/gid the process runs
 * as, and the `install` line that gives the folder to it. Returns the original error when the folder is not
 * the cause (a corrupt file, a full disk).
 * @example throw databaseFolderError('/data/router.db', err)
 */
export function databaseFolderError(file: string, cause: unknown): unknown {
  const code = (cause as { code?: string } | null)?.code
  const folder = dirname(resolve(file))
  if (code !== 'EACCES' && code !== 'EPERM' && !(code === 'SQLITE_CANTOPEN' && !writable(folder))) return cause
  const uid = process.getuid?.() ?? 'unknown'
  const gid = process.getgid?.() ?? 'unknown'
  return new Error(
    `cannot open the database ${file}: the folder ${folder} is not writable by this process (uid ${uid}, gid ${gid}). ` +
      `Give the folder to that uid: on the host, for the folder mounted there (./data in docker-compose.yml), ` +
      `run \`install -d -m 0700 -o ${uid} -g ${gid} data\` (or \`chown -R ${uid}:${gid} data && chmod 0700 data\` if it exists), ` +
      `then start again. (${(cause as Error).message})`,
    { cause },
  )
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}
