import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { databaseFolderError } from '../../../src/store/db-folder-error.js'
import { openDatabase } from '../../../src/store/db.js'
import { tempDir } from '../../helpers/temp-dir.js'

// The container suite (test/container) shows the real case: a root-owned data/ and the router as uid 10001.
describe('a database folder the process cannot write', () => {
  it('names the folder, the uid and gid, and the install line that fixes it', () => {
    const cause = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' })
    const dir = join(tempDir('db-folder-'), 'data')
    mkdirSync(dir)
    chmodSync(dir, 0o500)
    const err = databaseFolderError(join(dir, 'router.db'), Object.assign(new Error('EACCES'), { code: 'EACCES' }))
    const uid = process.getuid?.()
    const gid = process.getgid?.()
    expect((err as Error).message).toContain(
      `the folder ${dir} is not writable by this process (uid ${uid}, gid ${gid})`,
    )
    expect((err as Error).message).toContain(`install -d -m 0700 -o ${uid} -g ${gid} data`)
    expect((err as Error).cause).toBeDefined()
    // SQLITE_CANTOPEN in a folder that is writable is something else (a corrupt or foreign file): kept as it is.
    expect(databaseFolderError(join(tempDir('db-folder-'), 'router.db'), cause)).toBe(cause)
  })

  it('leaves errors that are not about the folder alone', () => {
    const cause = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' })
    expect(databaseFolderError('/data/router.db', cause)).toBe(cause)
    expect(openDatabase(join(tempDir('db-folder-'), 'ok.db')).pragma('journal_mode', { simple: true })).toBe('wal')
  })
})
