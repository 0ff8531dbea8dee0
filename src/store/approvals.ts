import { createHash, createHmac, randomBytes } from 'node:crypto'
import { sameSecret } from '../constant-time.js'
import { canonicalJson } from '../redact.js'
import type { DB } from './db.js'

// The approval store: signed two-person requests, each decided at most once.

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired'

export interface ApprovalRequest {
  id: string
  command: string
  args: Record<string, unknown>
  argsHash: string
  requester: string
  requesterName: string
  conversationId: string
  createdAt: number
  expiresAt: number
  status: ApprovalStatus
  decidedBy: string | null
  decidedAt: number | null
  signature: string
}

export type Decision =
  | { ok: true; request: ApprovalRequest }
  | {
      ok: false
      reason: 'unknown' | 'self-approval' | 'expired' | 'already-decided' | 'tampered'
      request?: ApprovalRequest
    }

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** Two-person approval requests: signed when created, verified again when decided, each id usable once. */
export class ApprovalStore {
  private readonly settled = new Set<(request: ApprovalRequest) => void>()

  constructor(
    private readonly db: DB,
    private readonly key: Buffer,
  ) {}

  /**
   * Calls `listener` with each request once it is decided or expired, whoever did it (a typed command, a
   * card button, the expiry job). It runs inside the write: it may only schedule work, never fail it.
   * @example approvals.onSettled((r) => setImmediate(() => cards.refresh(r.id)))
   */
  onSettled(listener: (request: ApprovalRequest) => void): void {
    this.settled.add(listener)
  }

  private notifySettled(request: ApprovalRequest): void {
    for (const listener of this.settled) {
      try {
        listener(request)
      } catch {
        // A listener's fault must not undo the decision it observes.
      }
    }
  }

  /** Records a pending request for `command` with canonical `args`, signed with the router's key. */
  create(input: {
    command: string
    args: Record<string, unknown>
    requester: string
    requesterName: string
    conversationId: string
    now: number
    ttlMs: number
  }): ApprovalRequest {
    const argsJson = canonicalJson(input.args)
    const request: ApprovalRequest = {
      id: newApprovalId(),
      command: input.command,
      args: JSON.parse(argsJson) as Record<string, unknown>,
      argsHash: createHash('sha256').update(argsJson).digest('hex'),
      requester: input.requester,
      requesterName: input.requesterName,
      conversationId: input.conversationId,
      createdAt: input.now,
      expiresAt: input.now + input.ttlMs,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      signature: '',
    }
    request.signature = this.sign(request)
    this.db
      .prepare(`INSERT INTO approvals (id, command, args, args_hash, requester, requester_name, conversation_id, created_at,
        expires_at, status, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`)
      .run(
        request.id,
        request.command,
        argsJson,
        request.argsHash,
        request.requester,
        request.requesterName,
        request.conversationId,
        request.createdAt,
        request.expiresAt,
        request.signature,
      )
    return request
  }

  get(id: string): ApprovalRequest | undefined {
    if (!/^[a-z0-9]{1,32}$/.test(id)) return undefined
    const row = this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row | undefined
    return row ? fromRow(row) : undefined
  }

  pending(now: number): ApprovalRequest[] {
    return (
      this.db
        .prepare("SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY created_at")
        .all(now) as Row[]
    ).map(fromRow)
  }

  /**
   * Why `by` could not decide request `id` now, or undefined when the decision would be taken.
   * @example const problem = approvals.check(id, 'approved', 'op2', Date.now())
   */
  check(
    id: string,
    decision: 'approved' | 'denied',
    by: string,
    now: number,
  ): Extract<Decision, { ok: false }> | undefined {
    const request = this.get(id)
    if (!request) return { ok: false, reason: 'unknown' }
    if (!this.intact(request)) return { ok: false, reason: 'tampered', request }
    if (request.status !== 'pending')
      return { ok: false, reason: request.status === 'expired' ? 'expired' : 'already-decided', request }
    if (now >= request.expiresAt) return { ok: false, reason: 'expired', request }
    if (decision === 'approved' && by === request.requester) return { ok: false, reason: 'self-approval', request }
    return undefined
  }

  /**
   * Decides a request. Only one decision ever wins (a conditional UPDATE), the requester cannot approve
   * their own, and the signature and args hash are checked again so an edited row is refused.
   */
  decide(id: string, decision: 'approved' | 'denied', by: string, now: number): Decision {
    const problem = this.check(id, decision, by, now)
    if (problem) return problem
    const request = this.get(id)!
    const won =
      this.db
        .prepare(
          "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?",
        )
        .run(decision, by, now, id, now).changes === 1
    if (!won) return { ok: false, reason: 'already-decided', request }
    const decided = { ...request, status: decision, decidedBy: by, decidedAt: now }
    this.notifySettled(decided)
    return { ok: true, request: decided }
  }

  /**
   * Closes a request that can no longer run: `expired` for a pending one whose requester is gone, `denied`
   * for an approved one whose action was refused when it was applied (stale, no change).
   * @returns false when the request was not in the expected state.
   */
  close(id: string, status: 'expired' | 'denied', now: number): boolean {
    const from = status === 'expired' ? 'pending' : 'approved'
    return (
      this.db
        .prepare('UPDATE approvals SET status = ?, decided_at = COALESCE(decided_at, ?) WHERE id = ? AND status = ?')
        .run(status, now, id, from).changes === 1
    )
  }

  /** Marks every overdue pending request expired and returns them. */
  expireDue(now: number): ApprovalRequest[] {
    const rows = this.db
      .prepare(
        "UPDATE approvals SET status = 'expired', decided_at = ? WHERE status = 'pending' AND expires_at <= ? RETURNING *",
      )
      .all(now, now) as Row[]
    const expired = rows.map(fromRow)
    for (const r of expired) this.notifySettled(r)
    return expired
  }

  /** True when the stored request is exactly what was signed. */
  intact(request: ApprovalRequest): boolean {
    const argsHash = createHash('sha256').update(canonicalJson(request.args)).digest('hex')
    if (argsHash !== request.argsHash) return false
    return sameSecret(this.sign(request), request.signature)
  }

  private sign(r: ApprovalRequest): string {
    const signed = {
      id: r.id,
      command: r.command,
      argsHash: r.argsHash,
      requester: r.requester,
      conversationId: r.conversationId,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
    }
    return createHmac('sha256', this.key).update(canonicalJson(signed)).digest('hex')
  }
}

/** 10 base32 characters: 50 bits from the CSPRNG, short enough to type on a phone. */
function newApprovalId(): string {
  return Array.from(randomBytes(10), (b) => ID_ALPHABET[b & 31]).join('')
}

interface Row {
  id: string
  command: string
  args: string
  args_hash: string
  requester: string
  requester_name: string
  conversation_id: string
  created_at: number
  expires_at: number
  status: ApprovalStatus
  decided_by: string | null
  decided_at: number | null
  signature: string
}

function fromRow(row: Row): ApprovalRequest {
  let args: Record<string, unknown>
  try {
    args = JSON.parse(row.args) as Record<string, unknown>
  } catch {
    args = {}
  }
  return {
    id: row.id,
    command: row.command,
    args,
    argsHash: row.args_hash,
    requester: row.requester,
    requesterName: row.requester_name,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    signature: row.signature,
  }
}
