import type { AuditLog } from './audit.js'
import type { DB } from './db.js'
import type { StateStore } from './state.js'

/**
 * Brings a database from before state attestation into the chain, once: an entry that commits to the
 * newest runtime state version, and a `review-ack` entry for each break-glass review kept beside the chain.
 * Migration 007 leaves the one-row `legacy_attestation` table for this; it is emptied here. A row put back
 * later (by hand) is ignored when the chain already holds a `legacy-attestation` entry.
 * @example attestLegacyState(db, stores.audit, stores.state)
 */
export function attestLegacyState(db: DB, audit: AuditLog, state: StateStore): void {
  const row = db.prepare('SELECT version FROM legacy_attestation WHERE id = 1').get() as { version: number } | undefined
  if (!row) return
  audit.transaction(() => {
    db.prepare('DELETE FROM legacy_attestation').run()
    const done = db.prepare("SELECT 1 FROM audit WHERE action = 'legacy-attestation' LIMIT 1").get()
    const reviews = db.prepare('SELECT seq, reviewed_by, reviewed_at FROM audit_reviews ORDER BY seq').all() as {
      seq: number
      reviewed_by: string
      reviewed_at: number
    }[]
    if (done || (row.version === 0 && reviews.length === 0)) return
    const v = row.version > 0 ? state.version(row.version) : undefined
    audit.append({
      actor: 'router',
      channel: 'system',
      action: 'legacy-attestation',
      outcome: 'executed',
      args: v ? { stateVersion: v.version, stateHash: v.hash, reviews: reviews.length } : { reviews: reviews.length },
    })
    for (const r of reviews) {
      audit.append({
        actor: r.reviewed_by,
        channel: 'system',
        action: 'review-ack',
        outcome: 'executed',
        args: { seq: r.seq, reviewedAt: new Date(r.reviewed_at).toISOString(), legacy: true },
      })
    }
  })
  state.refresh()
}
