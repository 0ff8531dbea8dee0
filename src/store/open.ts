import { ConfigError, type RouterConfig } from '../config.js'
import { ApprovalStore } from './approvals.js'
import { AuditLog } from './audit.js'
import { loadAuditKey } from './audit-key.js'
import { migrate, migrationsCurrent, openDatabase, type DB } from './db.js'
import { ensurePrivateDir } from './private-files.js'
import { databaseFolderError } from './db-folder-error.js'
import { EventStore } from './events.js'
import { InboxStore } from './inbox.js'
import { KvStore } from './kv.js'
import { attestLegacyState } from './legacy-attestation.js'
import { ModelUsageStore } from './model-usage.js'
import { OutboxStore } from './outbox.js'
import { RefusalTally } from './refusals.js'
import { ReleaseStore } from './releases.js'
import { StateStore } from './state.js'
import { UsageStore } from './usage.js'

/**
 * Opens and migrates the database and builds every store on it; shared by the bot and routerctl. The audit
 * key is checked first, so a bad key refuses the start before anything is written. Only the bot passes
 * `sqlite` (short lock waits: a wait blocks its event loop); routerctl keeps the 5 s default.
 */
export function openStores(
  config: Pick<RouterConfig, 'db' | 'auditKey'> & { sqlite?: RouterConfig['sqlite'] },
  now: () => number = Date.now,
) {
  const auditKey = (() => {
    try {
      if (config.db !== ':memory:') ensurePrivateDir(config.db)
      return loadAuditKey(config.auditKey, config.db)
    } catch (err) {
      // A folder this process may not write is the usual cause: say which folder and how to fix it.
      throw err instanceof ConfigError ? err : databaseFolderError(config.db, err)
    }
  })()
  const busyTimeoutMs = config.sqlite?.busyTimeoutMs
  const db: DB = openDatabase(config.db, { busyTimeoutMs, walLimitBytes: config.sqlite?.walLimitBytes })
  const applied = migrate(db)
  const audit = new AuditLog(db, auditKey, now)
  // A state version counts only when a verified entry in the chain commits to it.
  const state = new StateStore(db, now, (version, hash) => audit.attestsState(version, hash))
  attestLegacyState(db, audit, state, applied)
  const usage = new UsageStore(db)
  return {
    db,
    auditKey,
    migrationsCurrent: () => migrationsCurrent(db),
    stores: {
      inbox: new InboxStore(db, usage, { hotPathBusyMs: config.sqlite?.hotPathBusyMs, busyTimeoutMs }),
      audit,
      refusals: new RefusalTally(db, audit),
      state,
      outbox: new OutboxStore(db),
      approvals: new ApprovalStore(db, auditKey),
      usage,
      kv: new KvStore(db),
      events: new EventStore(db),
      modelUsage: new ModelUsageStore(db),
      releases: new ReleaseStore(db),
    },
  }
}
