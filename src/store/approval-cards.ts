import type { DB } from './db.js'

/** One interactive card showing an approval request, and the status it last showed. */
export interface ApprovalCard {
  outTrackId: string
  approvalId: string
  conversationId: string
  createdAt: number
  shownStatus: string
}

interface Row {
  out_track_id: string
  approval_id: string
  conversation_id: string
  created_at: number
  shown_status: string
}

/** Which card shows which approval request (migration 011). */
export class ApprovalCardStore {
  private readonly insert
  private readonly byTrack
  private readonly byApproval
  private readonly mark

  constructor(db: DB) {
    this.insert = db.prepare(
      'INSERT INTO approval_cards (out_track_id, approval_id, conversation_id, created_at) VALUES (?, ?, ?, ?)',
    )
    this.byTrack = db.prepare('SELECT * FROM approval_cards WHERE out_track_id = ?')
    this.byApproval = db.prepare('SELECT * FROM approval_cards WHERE approval_id = ? ORDER BY created_at')
    this.mark = db.prepare('UPDATE approval_cards SET shown_status = ? WHERE out_track_id = ?')
  }

  add(card: Omit<ApprovalCard, 'shownStatus'>): void {
    this.insert.run(card.outTrackId, card.approvalId, card.conversationId, card.createdAt)
  }

  get(outTrackId: string): ApprovalCard | undefined {
    if (outTrackId.length > 128) return undefined
    const row = this.byTrack.get(outTrackId) as Row | undefined
    return row ? fromRow(row) : undefined
  }

  forApproval(approvalId: string): ApprovalCard[] {
    return (this.byApproval.all(approvalId) as Row[]).map(fromRow)
  }

  shown(outTrackId: string, status: string): void {
    this.mark.run(status, outTrackId)
  }
}

function fromRow(r: Row): ApprovalCard {
  return {
    outTrackId: r.out_track_id,
    approvalId: r.approval_id,
    conversationId: r.conversation_id,
    createdAt: r.created_at,
    shownStatus: r.shown_status,
  }
}
