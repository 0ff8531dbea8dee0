import type { AuditLog } from './audit.js'
import type { DB } from './db.js'
import type { StateStore } from './state.js'

/** migrations/007_state_attestation.sql, which writes the one-row `legacy_attestation` table. */
const STATE_ATTESTATION_MIGRATION = 7

/**
 * Brings a database from before state attestation into the chain, once: an entry that commits to the
 * newest runtime state version, and a `review-ack` entry for each break-glass review kept beside the chain.
 * Migration 007 leaves the one-row `legacy_attestation` table for this; it is emptied here.
 *
 * Only a row the migration wrote in this same open is honoured (007 among `appliedNow`, what `migrate`
 * returned). Anyone who can write the file but lacks the audit key could otherwise add a state version and
 * this row and have the router sign it: on a database created after 007 no `legacy-attestation` entry ever
 * exists to say "done", and on an older one retention eventually prunes it. A row found later is deleted
 * unread; the version it named stays unattested, so it is ignored and reported like any state written
 * outside the router. (A process killed between the migration and this step leaves the pre-upgrade state
 * unattested too: the loud side, not the silent one.)
 * @example attestLegacyState(db, stores.audit, stores.state, migrate(db))
 */
export function attestLegacyState(db: DB, audit: AuditLog, state: StateStore, appliedNow: readonly number[]): void {
  const row = db.prepare('SELECT version FROM legacy_attestation WHERE id = 1').get() as { version: number } | undefined
  if (!row) return
  if (!appliedNow.includes(STATE_ATTESTATION_MIGRATION)) {
    db.prepare('DELETE FROM legacy_attestation').run()
    return
  }
  audit.transaction(() => {
    db.prepare('DELETE FROM legacy_attestation').run()
    const reviews = db.prepare('SELECT seq, reviewed_by, reviewed_at FROM audit_reviews ORDER BY seq').all() as {
      seq: number
      reviewed_by: string
      reviewed_at: number
    }[]
    if (row.version === 0 && reviews.length === 0) return
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
