import { createHmac } from 'node:crypto'
import { sameSecret } from '../constant-time.js'
import { canonicalJson, redactValue } from '../redact.js'
import type { DB } from './db.js'

// The audit trail: a hash-chained, HMAC-keyed log of every action, with export, verify and retention.

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
  seq: number
  ts: string
  actor: string
  channel: AuditChannel
  action: string
  args: string
  outcome: AuditOutcome
  approval_id: string | null
  break_glass: number
  os_user: string | null
  detail: string | null
  prev_hash: string
  hash: string
}

const GENESIS_HASH = '0'.repeat(64)
// Operators appear under their configured name; a refused sender under `staff:<id>` or `sender:<id>`.
const REFUSED_BY_OTHERS = "outcome = 'rejected' AND (actor LIKE 'staff:%' OR actor LIKE 'sender:%')"
const MAX_DETAIL = 2000

/** The last entry retention pruned, HMAC-signed with the audit key: the start of the stored chain. */
export interface AuditCheckpoint {
  seq: number
  hash: string
  ts: string
  prunedAt: number
  signature: string
}

/** Where the chain ends: the newest entry, or the retention checkpoint (or genesis, seq 0) when there is none. */
export interface AuditHead {
  seq: number
  hash: string
}

export type VerifyResult =
  | { ok: true; count: number; head: AuditHead }
  | { ok: false; count: number; seq: number; reason: string }

/**
 * The head as announcements carry it and `routerctl audit verify --expect-head` takes it: `seq:` and the
 * first 12 hex characters of the hash (a prefix is accepted).
 * @example shortHead({ seq: 41, hash: '3f2a9c1b7e0d…' }) // '41:3f2a9c1b7e0d'
 */
export function shortHead(head: AuditHead): string {
  return `${head.seq}:${head.hash.slice(0, 12)}`
}

/** Whether the stored chain still holds a head that was announced earlier. */
export type HeadCheck = 'present' | 'missing' | 'different' | 'pruned'

/** The hash-chained audit trail. Every append is its own committed transaction, taken with a write lock. */
export class AuditLog {
  private readonly last
  private readonly insert
  private readonly appendTx

  constructor(
    private readonly db: DB,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {
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

  /** Runs `fn` inside the current transaction as a savepoint: if it throws, only its own writes are undone. */
  savepoint<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  /** The current head: the newest entry's seq and hash (the checkpoint's, or genesis, when there is no entry). */
  head(): AuditHead {
    const last = this.last.get() as AuditHead | undefined
    return last ? { seq: last.seq, hash: last.hash } : { seq: this.checkpointSeq(), hash: this.checkpointHash() }
  }

  /**
   * Whether the chain still contains the head `seq` whose hash starts with `hashPrefix` (announcements carry
   * a short hash). `pruned` when retention removed that entry, so it can no longer be confirmed.
   * @example audit.checkHead(41, '3f2a9c1b7e0d') // 'present'
   */
  checkHead(seq: number, hashPrefix: string): HeadCheck {
    const prefix = hashPrefix.toLowerCase()
    const checkpoint = this.checkpoint()
    if (checkpoint && seq <= checkpoint.seq) {
      if (seq < checkpoint.seq) return 'pruned'
      return checkpoint.hash.startsWith(prefix) ? 'present' : 'different'
    }
    if (seq === 0) return GENESIS_HASH.startsWith(prefix) ? 'present' : 'different'
    const row = this.db.prepare('SELECT hash FROM audit WHERE seq = ?').get(seq) as { hash: string } | undefined
    if (!row) return 'missing'
    return row.hash.startsWith(prefix) ? 'present' : 'different'
  }

  /**
   * A signature over the head and a time, for the log line that copies the head off the host.
   * @example log.info({ ...head, ts, signature: audit.signHead(head, ts) }, 'audit head')
   */
  signHead(head: AuditHead, ts: string): string {
    return createHmac('sha256', this.key)
      .update(canonicalJson({ kind: 'audit-head', seq: head.seq, hash: head.hash, ts }))
      .digest('hex')
  }

  /**
   * Whether a verified entry in the chain commits to runtime state `version` with content hash `stateHash`:
   * the only way a state version is applied. Each candidate entry's own HMAC is checked, so a row inserted
   * without the key does not count.
   * @example audit.attestsState(7, 'ab12…')
   */
  attestsState(version: number, stateHash: string): boolean {
    const rows = this.db
      .prepare("SELECT * FROM audit WHERE json_extract(args, '$.stateVersion') = ? AND outcome = 'executed'")
      .all(version) as Row[]
    return rows.some((row) => sameSecret(this.hashOf(row), row.hash) && toEntry(row).args.stateHash === stateHash)
  }

  /** Entries in order, from `sinceSeq` (exclusive). */
  *entries(sinceSeq = 0): Generator<AuditEntry> {
    for (const row of this.db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq').iterate(sinceSeq)) {
      yield toEntry(row as Row)
    }
  }

  /**
   * The newest entries first, filtered by actor and action; `withoutRefusals` leaves out the refused attempts
   * of non-operators (actor `staff:…` or `sender:…`), so operators' own actions come first in /audit.
   */
  recent(limit: number, filter: { actor?: string; action?: string; withoutRefusals?: boolean } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE (@actor IS NULL OR actor = @actor) AND (@action IS NULL OR action = @action)
        AND (@plain = 0 OR NOT (${REFUSED_BY_OTHERS})) ORDER BY seq DESC LIMIT @limit`)
      .all({
        actor: filter.actor ?? null,
        action: filter.action ?? null,
        plain: filter.withoutRefusals ? 1 : 0,
        limit,
      }) as Row[]
    return rows.map(toEntry)
  }

  /** How many entries are refused attempts of non-operators, and how many attempts they count. */
  refusalsByOthers(): { entries: number; attempts: number } {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS entries, COALESCE(SUM(COALESCE(json_extract(args, '$.count'), 1)), 0) AS attempts
        FROM audit WHERE ${REFUSED_BY_OTHERS}`)
      .get() as { entries: number; attempts: number }
    return row
  }

  /** One entry by its sequence number. */
  get(seq: number): AuditEntry | undefined {
    const row = this.db.prepare('SELECT * FROM audit WHERE seq = ?').get(seq) as Row | undefined
    return row ? toEntry(row) : undefined
  }

  /**
   * Break-glass entries nobody has reviewed yet, oldest first, and how many there are in all. A review is
   * a verified `review-ack` entry in the chain naming the entry's seq, so /review is derived from the chain
   * itself and a row written around the key cannot mark anything reviewed.
   * @example const { entries, total } = audit.unreviewedBreakGlass(20)
   */
  unreviewedBreakGlass(limit = 20): { entries: AuditEntry[]; total: number } {
    const reviewed = this.reviews()
    const rows = (this.db.prepare('SELECT * FROM audit WHERE break_glass = 1 ORDER BY seq').all() as Row[]).filter(
      (r) => !reviewed.has(r.seq),
    )
    return { entries: rows.slice(0, limit).map(toEntry), total: rows.length }
  }

  /** Who reviewed entry `seq`, and when (epoch ms); undefined when nobody has. */
  reviewOf(seq: number): { reviewedBy: string; reviewedAt: number } | undefined {
    return this.reviews().get(seq)
  }

  // Every verified review-ack entry, by the seq it reviews; the first one counts.
  private reviews(): Map<number, { reviewedBy: string; reviewedAt: number }> {
    const rows = this.db
      .prepare("SELECT * FROM audit WHERE action = 'review-ack' AND outcome = 'executed' ORDER BY seq")
      .all() as Row[]
    const out = new Map<number, { reviewedBy: string; reviewedAt: number }>()
    for (const row of rows) {
      if (!sameSecret(this.hashOf(row), row.hash)) continue
      const seq = Number(toEntry(row).args.seq)
      if (Number.isInteger(seq) && !out.has(seq))
        out.set(seq, { reviewedBy: row.actor, reviewedAt: Date.parse(row.ts) })
    }
    return out
  }

  /** Recomputes every hash; names the first entry that does not verify. */
  verify(): VerifyResult {
    const checkpoint = this.checkpoint()
    if (checkpoint && !sameSecret(this.signCheckpoint(checkpoint), checkpoint.signature)) {
      return { ok: false, count: 0, seq: checkpoint.seq, reason: 'the retention checkpoint signature does not verify' }
    }
    let prevHash = this.checkpointHash()
    let expectedSeq = this.checkpointSeq() + 1
    let count = 0
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<Row>) {
      if (row.seq !== expectedSeq)
        return { ok: false, count, seq: row.seq, reason: `expected seq ${expectedSeq}: entries are missing` }
      if (row.prev_hash !== prevHash)
        return { ok: false, count, seq: row.seq, reason: 'prevHash does not match the entry before' }
      if (!sameSecret(this.hashOf(row), row.hash))
        return { ok: false, count, seq: row.seq, reason: 'hash does not match the entry content' }
      prevHash = row.hash
      expectedSeq++
      count++
    }
    return { ok: true, count, head: { seq: expectedSeq - 1, hash: prevHash } }
  }

  // Retention prunes the oldest entries and leaves a signed checkpoint (the last pruned entry's seq and
  // hash); the chain then starts there instead of at the genesis hash.
  protected checkpointSeq(): number {
    return this.checkpoint()?.seq ?? 0
  }

  protected checkpointHash(): string {
    return this.checkpoint()?.hash ?? GENESIS_HASH
  }

  /** Where the stored chain starts after retention pruned older entries; undefined when nothing was pruned. */
  checkpoint(): AuditCheckpoint | undefined {
    const row = this.db
      .prepare('SELECT seq, hash, ts, pruned_at, signature FROM audit_checkpoint WHERE id = 1')
      .get() as { seq: number; hash: string; ts: string; pruned_at: number; signature: string } | undefined
    return row
      ? { seq: row.seq, hash: row.hash, ts: row.ts, prunedAt: row.pruned_at, signature: row.signature }
      : undefined
  }

  /**
   * Deletes the oldest entries, every one before the first entry at or after `cutoff` (epoch ms), and moves
   * the signed checkpoint to the last one deleted, so `verify` still passes. Only a prefix is ever cut.
   * @example audit.pruneBefore(Date.now() - 365 * 86_400_000)
   */
  pruneBefore(cutoff: number): { pruned: number; checkpoint: AuditCheckpoint | undefined } {
    return this.transaction(() => {
      const firstKept = this.db
        .prepare('SELECT MIN(seq) FROM audit WHERE ts >= ?')
        .pluck()
        .get(new Date(cutoff).toISOString()) as number | null
      const upTo = firstKept === null ? (this.last.get() as { seq: number } | undefined)?.seq : firstKept - 1
      if (upTo === undefined || upTo <= this.checkpointSeq()) return { pruned: 0, checkpoint: this.checkpoint() }
      const end = this.db.prepare('SELECT seq, hash, ts FROM audit WHERE seq = ?').get(upTo) as {
        seq: number
        hash: string
        ts: string
      }
      const signature = this.signCheckpoint(end)
      this.db.prepare('DELETE FROM audit_reviews WHERE seq <= ?').run(upTo)
      const pruned = this.db.prepare('DELETE FROM audit WHERE seq <= ?').run(upTo).changes
      this.db
        .prepare(`INSERT INTO audit_checkpoint (id, seq, hash, ts, pruned_at, signature) VALUES (1, @seq, @hash, @ts, @prunedAt, @signature)
          ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, ts = excluded.ts, pruned_at = excluded.pruned_at, signature = excluded.signature`)
        .run({ ...end, prunedAt: this.now(), signature })
      return { pruned, checkpoint: this.checkpoint() }
    })
  }

  private signCheckpoint(c: { seq: number; hash: string; ts: string }): string {
    return createHmac('sha256', this.key)
      .update(canonicalJson({ kind: 'audit-checkpoint', seq: c.seq, hash: c.hash, ts: c.ts }))
      .digest('hex')
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
    seq: row.seq,
    ts: row.ts,
    actor: row.actor,
    channel: row.channel,
    action: row.action,
    args,
    outcome: row.outcome,
    approvalId: row.approval_id,
    breakGlass: row.break_glass === 1,
    osUser: row.os_user,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}
