import type { DB } from './db.js'

/**
 * Durable dedup and inbox keyed by msgId. A message is stored before it is acked, so a redelivery runs
 * nothing twice, and a message acked just before a crash is still answered after the restart.
 */
export class InboxStore {
  private readonly insert
  private readonly markDone
  private readonly selectPending
  private readonly prune

  constructor(db: DB) {
    this.insert = db.prepare('INSERT OR IGNORE INTO inbox (msg_id, received_at, payload) VALUES (?, ?, ?)')
    this.markDone = db.prepare("UPDATE inbox SET status = 'done', completed_at = ?, payload = '' WHERE msg_id = ?")
    this.selectPending = db.prepare(
      "SELECT msg_id AS msgId, payload FROM inbox WHERE status = 'pending' ORDER BY received_at LIMIT ?",
    )
    this.prune = db.prepare("DELETE FROM inbox WHERE received_at < ? AND status = 'done'")
  }

  /** Records a message; `duplicate` when this msgId was seen before. */
  receive(msgId: string, payload: string, now: number): 'new' | 'duplicate' {
    return this.insert.run(msgId, now, payload).changes === 1 ? 'new' : 'duplicate'
  }

  /** Marks a message answered; its payload is dropped, only the id is kept for dedup. */
  complete(msgId: string, now: number): void {
    this.markDone.run(now, msgId)
  }

  /** Messages stored but not yet answered (after a crash), oldest first. */
  pending(limit = 500): { msgId: string; payload: string }[] {
    return this.selectPending.all(limit) as { msgId: string; payload: string }[]
  }

  /** Forgets answered messages older than the retention; returns how many. */
  pruneBefore(cutoff: number): number {
    return this.prune.run(cutoff).changes
  }
}
