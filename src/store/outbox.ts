import type { DB } from './db.js'

// The outbox: notices for the admin conversations, written by any process, sent by the connected bot.

export interface OutboxEntry {
  id: number
  text: string
  attempts: number
}

/** Notices for the admin conversations. Any process may write one; the connected bot sends them. */
export class OutboxStore {
  private readonly insert
  private readonly selectDue
  private readonly markSent
  private readonly markFailed

  constructor(db: DB) {
    this.insert = db.prepare('INSERT INTO outbox (text, created_at) VALUES (?, ?)')
    this.selectDue = db.prepare(
      'SELECT id, text, attempts FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT 20',
    )
    this.markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ?')
    this.markFailed = db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?')
  }

  add(text: string, now: number): number {
    return Number(this.insert.run(text.slice(0, 4000), now).lastInsertRowid)
  }

  due(maxAttempts = 5): OutboxEntry[] {
    return this.selectDue.all(maxAttempts) as OutboxEntry[]
  }

  sent(id: number, now: number): void {
    this.markSent.run(now, id)
  }

  failed(id: number, error: string): void {
    this.markFailed.run(error.slice(0, 300), id)
  }
}
