import { createHmac } from 'node:crypto'
import { canonicalJson, redactValue } from '../redact.js'
import type { DB } from './db.js'

export type AuditChannel = 'dingtalk' | 'cli' | 'system' | 'cron'
export type AuditOutcome = 'requested' | 'approved' | 'denied' | 'expired' | 'executed' | 'rejected' | 'failed'

export interface AuditInput {
  actor: string
  channel: AuditChannel
  action: string
  args?: Record<string, unknown>
  outcome: AuditOutcome
  approvalId?: string
  breakGlass?: boolean
  osUser?: string
  /** Free text such as a hook's output or an error; truncated. */
  detail?: string
}

/** One exported entry: the fields CONTRACT.md promises to `routerctl audit export`. */
export interface AuditEntry {
  seq: number
  ts: string
  actor: string
  channel: AuditChannel
  action: string
  args: Record<string, unknown>
  outcome: AuditOutcome
  approvalId: string | null
  breakGlass: boolean
  osUser: string | null
  detail: string | null
  prevHash: string
  hash: string
}

interface Row {
  seq: number; ts: string; actor: string; channel: AuditChannel; action: string; args: string
  outcome: AuditOutcome; approval_id: string | null; break_glass: number; os_user: string | null
  detail: string | null; prev_hash: string; hash: string
}

export const GENESIS_HASH = '0'.repeat(64)
const MAX_DETAIL = 2000

export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; seq: number; reason: string }

/** The hash-chained audit trail. Every append is its own committed transaction, taken with a write lock. */
export class AuditLog {
  private readonly last
  private readonly insert
  private readonly appendTx

  constructor(private readonly db: DB, private readonly key: Buffer, private readonly now: () => number = Date.now) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')
    this.insert = db.prepare(`INSERT INTO audit (seq, ts, actor, channel, action, args, outcome, approval_id,
      break_glass, os_user, detail, prev_hash, hash) VALUES (@seq, @ts, @actor, @channel, @action, @args, @outcome,
      @approval_id, @break_glass, @os_user, @detail, @prev_hash, @hash)`)
    this.appendTx = db.transaction((input: AuditInput) => {
      const prev = this.last.get() as { seq: number; hash: string } | undefined
      const row = this.buildRow(input, (prev?.seq ?? this.checkpointSeq()) + 1, prev?.hash ?? this.checkpointHash())
      this.insert.run(row)
      return toEntry(row)
    })
  }

  /**
   * Commits one entry and returns it. Throws if the write fails: callers must not run the action then.
   * @example audit.append({ actor: 'alice', channel: 'dingtalk', action: 'disable-skill', args: { skill: 'ping' }, outcome: 'executed' })
   */
  append(input: AuditInput): AuditEntry {
    return this.appendTx.immediate(input)
  }

  /** Runs `fn` in one write transaction with the appends it makes, so a change and its entry commit together. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /** Entries in order, from `sinceSeq` (exclusive). */
  *entries(sinceSeq = 0): Generator<AuditEntry> {
    for (const row of this.db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq').iterate(sinceSeq)) {
      yield toEntry(row as Row)
    }
  }

  /** The newest entries first, filtered by actor and action. */
  recent(limit: number, filter: { actor?: string; action?: string } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE (@actor IS NULL OR actor = @actor) AND (@action IS NULL OR action = @action)
        ORDER BY seq DESC LIMIT @limit`)
      .all({ actor: filter.actor ?? null, action: filter.action ?? null, limit }) as Row[]
    return rows.map(toEntry)
  }

  /** Recomputes every hash; names the first entry that does not verify. */
  verify(): VerifyResult {
    let prevHash = this.checkpointHash()
    let expectedSeq = this.checkpointSeq() + 1
    let count = 0
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<Row>) {
      if (row.seq !== expectedSeq) return { ok: false, count, seq: row.seq, reason: `expected seq ${expectedSeq}: entries are missing` }
      if (row.prev_hash !== prevHash) return { ok: false, count, seq: row.seq, reason: 'prevHash does not match the entry before' }
      if (this.hashOf(row) !== row.hash) return { ok: false, count, seq: row.seq, reason: 'hash does not match the entry content' }
      prevHash = row.hash
      expectedSeq++
      count++
    }
    return { ok: true, count }
  }

  // Retention (a later migration) replaces the genesis with a signed checkpoint; until then, the chain starts at 0.
  protected checkpointSeq(): number {
    return 0
  }

  protected checkpointHash(): string {
    return GENESIS_HASH
  }

  private buildRow(input: AuditInput, seq: number, prevHash: string): Row {
    const row: Row = {
      seq,
      ts: new Date(this.now()).toISOString(),
      actor: input.actor.slice(0, 128),
      channel: input.channel,
      action: input.action.slice(0, 64),
      args: canonicalJson(redactValue(input.args ?? {})),
      outcome: input.outcome,
      approval_id: input.approvalId ?? null,
      break_glass: input.breakGlass ? 1 : 0,
      os_user: input.osUser ?? null,
      detail: input.detail === undefined ? null : String(redactValue(input.detail)).slice(0, MAX_DETAIL),
      prev_hash: prevHash,
      hash: '',
    }
    row.hash = this.hashOf(row)
    return row
  }

  private hashOf(row: Row): string {
    const { hash: _ignored, ...content } = row
    return createHmac('sha256', this.key).update(canonicalJson(content)).digest('hex')
  }
}

function toEntry(row: Row): AuditEntry {
  let args: Record<string, unknown>
  try {
    args = JSON.parse(row.args) as Record<string, unknown>
  } catch {
    args = { unparsable: row.args.slice(0, 200) }
  }
  return {
    seq: row.seq, ts: row.ts, actor: row.actor, channel: row.channel, action: row.action, args,
    outcome: row.outcome, approvalId: row.approval_id, breakGlass: row.break_glass === 1, osUser: row.os_user,
    detail: row.detail, prevHash: row.prev_hash, hash: row.hash,
  }
}
