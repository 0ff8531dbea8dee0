import type { AuditLog } from '../../src/store/audit.js'
import type { RuntimeState, StateStore, StateVersion } from '../../src/store/state.js'

/**
 * Writes a runtime state version the way the router does: with an audit entry that commits to its content
 * hash, in one transaction (a version without one is ignored). For tests that set state up directly.
 * @example auditedUpdate(stores, 'alice', 'noisy', (d) => void (d.skills.ping = { enabled: false }))
 */
export function auditedUpdate(
  stores: { state: StateStore; audit: AuditLog },
  actor: string,
  reason: string,
  change: (draft: RuntimeState) => void,
): StateVersion {
  return stores.audit.transaction(() => {
    const v = stores.state.update(actor, reason, change)
    stores.audit.append({
      actor,
      channel: 'system',
      action: 'test-state',
      args: { reason, stateVersion: v.version, stateHash: v.hash },
      outcome: 'executed',
    })
    stores.state.refresh()
    return v
  })
}
