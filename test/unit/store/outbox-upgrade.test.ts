import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase, readMigrations } from '../../../src/store/db.js'
import { OutboxStore } from '../../../src/store/outbox.js'
import { tempDir } from '../../helpers/temp-dir.js'

describe('upgrading the outbox to a day of retries', () => {
  it('keeps the notices an older router gave up on (5 attempts) given up, and the others due', () => {
    const db = openDatabase(join(tempDir('outbox-upgrade-'), 'router.db'))
    migrate(
      db,
      readMigrations().filter((m) => m.version < 11),
    )
    const insert = db.prepare('INSERT INTO outbox (text, created_at, attempts, sent_at) VALUES (?, ?, ?, ?)')
    insert.run('given up last spring', 1, 5, null)
    insert.run('failed twice', 2, 2, null)
    insert.run('sent', 3, 0, 4)
    migrate(db)
    const outbox = new OutboxStore(db)
    expect(outbox.due().map((e) => e.text)).toEqual(['failed twice'])
    expect(outbox.backlog()).toEqual({ waiting: 1, undelivered: 1 })
    db.close()
  })
})
