import type { DB } from '../store/db.js'

/**
 * The per-conversation session generation of each OpenClaw route, in SQLite so a restart keeps every
 * chat's agent session and a `/reset` survives it.
 * @example const g = sessions.generation('claw', convRef); sessions.reset('claw', convRef, Date.now()) // g + 1
 */
export class OpenClawSessions {
  private readonly select
  private readonly bump

  constructor(db: DB) {
    this.select = db.prepare('SELECT generation FROM openclaw_sessions WHERE route = ? AND conversation = ?').pluck()
    this.bump = db
      .prepare(`INSERT INTO openclaw_sessions (route, conversation, generation, reset_at) VALUES (?, ?, 1, ?)
      ON CONFLICT (route, conversation) DO UPDATE SET generation = generation + 1, reset_at = excluded.reset_at
      RETURNING generation`)
      .pluck()
  }

  /** The current generation; 0 for a conversation that never reset. */
  generation(route: string, conversation: string): number {
    return (this.select.get(route, conversation) as number | undefined) ?? 0
  }

  /** Starts a new generation and returns it. */
  reset(route: string, conversation: string, now: number): number {
    return this.bump.get(route, conversation, now) as number
  }
}
