import type { AuditEntry, AuditLog } from './audit.js'
import type { DB } from './db.js'
import { auditRejected, type Rejection } from './audit-rejected.js'

// The refusal tally: refused slash commands counted per sender and minute, one audit entry each.

/** One refused or dropped `/…` attempt, before it is counted. */
export interface RefusedAttempt {
  /** `staff:<id>`, `sender:<id>` or an operator's name. */
  actor: string
  reason: string
  command: string
  conversationId: string
  text: string
  /** Set when the sender belongs to another org than the bot. */
  senderCorpId?: string
}

interface Row {
  minute: number
  actor: string
  count: number
  reasons: string
  commands: string
  conversations: string
  first_text: string
  sender_corp: string | null
  first_at: number
  last_at: number
}

// Bounds on what one row remembers, so a hostile sender cannot grow it: counts stay exact, names do not.
const MAX_NAMES = 10
const MAX_CONVERSATIONS = 5
const MINUTE = 60_000

/**
 * Refused `/…` attempts counted per sender and minute, so an org member cannot flood the audit trail:
 * each (sender, minute) becomes ONE audit entry (`rejected`) with the count. Counts are durable at once;
 * the entry is written when the minute has closed (`flush`), or earlier for everything (`flush({ all })`,
 * which /audit and a stop do), so no refusal ever hides from an operator reading the trail.
 * @example tally.record({ actor: 'staff:u9', reason: 'not an operator', command: 'status', conversationId, text }, now)
 */
export class RefusalTally {
  constructor(
    private readonly db: DB,
    private readonly audit: AuditLog,
  ) {}

  /** Counts one attempt; first writes the entries of minutes that have closed since the last call. */
  record(a: RefusedAttempt, now: number): void {
    const minute = Math.floor(now / MINUTE)
    this.audit.transaction(() => {
      this.flushWhere(minute, false)
      const row = this.db.prepare('SELECT * FROM refusal_tally WHERE minute = ? AND actor = ?').get(minute, a.actor) as
        | Row
        | undefined
      const reasons = bump(row ? parse(row.reasons) : {}, a.reason.slice(0, 64))
      const commands = bump(row ? parse(row.commands) : {}, a.command.slice(0, 40))
      const conversations = row ? (JSON.parse(row.conversations) as string[]) : []
      const cid = a.conversationId.slice(0, 128)
      if (!conversations.includes(cid) && conversations.length < MAX_CONVERSATIONS) conversations.push(cid)
      this.db
        .prepare(`INSERT INTO refusal_tally (minute, actor, count, reasons, commands, conversations, first_text,
          sender_corp, first_at, last_at) VALUES (@minute, @actor, @count, @reasons, @commands, @conversations,
          @first_text, @sender_corp, @first_at, @last_at)
          ON CONFLICT (minute, actor) DO UPDATE SET count = excluded.count, reasons = excluded.reasons,
          commands = excluded.commands, conversations = excluded.conversations, last_at = excluded.last_at,
          sender_corp = COALESCE(sender_corp, excluded.sender_corp)`)
        .run({
          minute,
          actor: a.actor.slice(0, 128),
          count: (row?.count ?? 0) + 1,
          reasons: JSON.stringify(reasons),
          commands: JSON.stringify(commands),
          conversations: JSON.stringify(conversations),
          first_text: row?.first_text ?? a.text.slice(0, 80),
          sender_corp: a.senderCorpId?.slice(0, 128) ?? null,
          first_at: row?.first_at ?? now,
          last_at: now,
        })
    })
  }

  /**
   * Writes one `rejected` entry per counted (sender, minute) and forgets the counts, in one transaction.
   * Only closed minutes unless `all`.
   * @example tally.flush(Date.now(), { all: true }) // before listing /audit
   */
  flush(now: number, opts: { all?: boolean } = {}): AuditEntry[] {
    return this.audit.transaction(() => this.flushWhere(Math.floor(now / MINUTE), opts.all === true))
  }

  private flushWhere(currentMinute: number, all: boolean): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM refusal_tally ${all ? '' : 'WHERE minute < ?'} ORDER BY minute, first_at`)
      .all(...(all ? [] : [currentMinute])) as Row[]
    if (rows.length === 0) return []
    const entries = rows.map((row) => auditRejected(this.audit, entryOf(row)))
    const remove = this.db.prepare('DELETE FROM refusal_tally WHERE minute = ? AND actor = ?')
    for (const row of rows) remove.run(row.minute, row.actor)
    return entries
  }
}

function entryOf(row: Row): Rejection {
  const reasons = parse(row.reasons)
  const commands = parse(row.commands)
  const conversations = JSON.parse(row.conversations) as string[]
  return {
    actor: row.actor,
    channel: 'dingtalk',
    action: top(commands),
    reason: top(reasons),
    args: {
      count: row.count,
      ...(Object.keys(reasons).length > 1 ? { reasons } : {}),
      ...(Object.keys(commands).length > 1 ? { commands } : {}),
      conversationId: conversations[0] ?? '',
      ...(conversations.length > 1 ? { conversationIds: conversations } : {}),
      text: row.first_text,
      ...(row.sender_corp ? { senderCorpId: row.sender_corp } : {}),
      from: new Date(row.first_at).toISOString(),
      to: new Date(row.last_at).toISOString(),
    },
  }
}

function parse(json: string): Record<string, number> {
  return JSON.parse(json) as Record<string, number>
}

// Counts by name, at most MAX_NAMES names; further names are counted under "other".
function bump(counts: Record<string, number>, name: string): Record<string, number> {
  // Own keys only: a command called "constructor" is a name like any other, not Object's.
  const key = Object.hasOwn(counts, name) || Object.keys(counts).length < MAX_NAMES ? name : 'other'
  counts[key] = (Object.hasOwn(counts, key) ? (counts[key] ?? 0) : 0) + 1
  return counts
}

function top(counts: Record<string, number>): string {
  return Object.entries(counts).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?'
}
