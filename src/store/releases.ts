import type { DB } from './db.js'

// Releases in SQLite: deploy events, known-good marks and desired releases.

/** One deploy event: a release that started (channel `system`) or that a pipeline recorded (`cli`). */
export interface Deploy {
  id: number
  digest: string
  version: string | null
  deployedBy: string
  deployedAt: number
  channel: 'system' | 'cli'
  /** When this deploy was marked known-good; null until then. */
  knownGoodAt: number | null
  /** The runtime config version that was current when it was marked known-good. */
  configVersion: number | null
}

export type DesiredStatus = 'pending' | 'handed-off' | 'failed' | 'applied'

/** A release rollback asked for; the host-side reconciler applies it. */
export interface DesiredRelease {
  id: number
  digest: string
  previousDigest: string | null
  requestedBy: string
  requestedAt: number
  status: DesiredStatus
  detail: string | null
}

/**
 * What a digest may look like: an image digest or `version+sha`, nothing a shell or an env file could misread.
 * @example DIGEST_PATTERN.test('sha256:' + 'a'.repeat(64)) // true
 */
export const DIGEST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/

/**
 * Deploy events, known-good marks and desired releases. Shared by the bot and routerctl, like every store.
 * @example const { deploy, created } = releases.record({ digest: 'sha256:…', by: 'ci', channel: 'cli' }, Date.now())
 */
export class ReleaseStore {
  constructor(private readonly db: DB) {}

  /** The newest deploy event. */
  latest(): Deploy | undefined {
    return this.one('SELECT * FROM deploys ORDER BY id DESC LIMIT 1')
  }

  /** The newest deploy event of this digest. */
  forDigest(digest: string): Deploy | undefined {
    return this.one('SELECT * FROM deploys WHERE digest = ? ORDER BY id DESC LIMIT 1', digest)
  }

  /** Newest first. */
  history(limit = 10): Deploy[] {
    return (this.db.prepare('SELECT * FROM deploys ORDER BY id DESC LIMIT ?').all(limit) as DeployRow[]).map(
      fromDeployRow,
    )
  }

  /**
   * Records a deploy event unless the newest one already has this digest, so restarts and a pipeline
   * recording the same release before it starts add nothing.
   */
  record(
    input: { digest: string; version?: string; by: string; channel: Deploy['channel'] },
    now: number,
  ): { deploy: Deploy; created: boolean } {
    return this.db
      .transaction(() => {
        const latest = this.latest()
        if (latest?.digest === input.digest) return { deploy: latest, created: false }
        this.db
          .prepare('INSERT INTO deploys (digest, version, deployed_by, deployed_at, channel) VALUES (?, ?, ?, ?, ?)')
          .run(input.digest, input.version ?? null, input.by.slice(0, 128), now, input.channel)
        return { deploy: this.latest()!, created: true }
      })
      .immediate()
  }

  /** The most recently marked known-good deploy, optionally skipping one digest (the running one). */
  lastKnownGood(exceptDigest?: string): Deploy | undefined {
    return this.one(
      'SELECT * FROM deploys WHERE known_good_at IS NOT NULL AND digest IS NOT ? ORDER BY known_good_at DESC, id DESC LIMIT 1',
      exceptDigest ?? null,
    )
  }

  /**
   * Marks a deploy known-good with the config version current at that moment, and flags that version
   * in runtime_config. Only the first mark counts.
   * @returns false when it was already marked.
   */
  markKnownGood(id: number, configVersion: number, now: number): boolean {
    return this.db
      .transaction(() => {
        const changed =
          this.db
            .prepare('UPDATE deploys SET known_good_at = ?, config_version = ? WHERE id = ? AND known_good_at IS NULL')
            .run(now, configVersion, id).changes === 1
        if (changed) this.db.prepare('UPDATE runtime_config SET known_good = 1 WHERE version = ?').run(configVersion)
        return changed
      })
      .immediate()
  }

  /** The newest deploy or known-good mark time: a default rollback target can only move when this does. */
  lastChangeAt(): number {
    const row = this.db
      .prepare('SELECT MAX(MAX(deployed_at), COALESCE(MAX(known_good_at), 0)) AS at FROM deploys')
      .get() as { at: number | null }
    return row.at ?? 0
  }

  addDesired(input: { digest: string; previousDigest?: string; requestedBy: string }, now: number): DesiredRelease {
    const id = Number(
      this.db
        .prepare(
          "INSERT INTO desired_releases (digest, previous_digest, requested_by, requested_at, status) VALUES (?, ?, ?, ?, 'pending')",
        )
        .run(input.digest, input.previousDigest ?? null, input.requestedBy.slice(0, 128), now).lastInsertRowid,
    )
    return this.desired(id)!
  }

  desired(id: number): DesiredRelease | undefined {
    const row = this.db.prepare('SELECT * FROM desired_releases WHERE id = ?').get(id) as DesiredRow | undefined
    return row ? fromDesiredRow(row) : undefined
  }

  latestDesired(): DesiredRelease | undefined {
    const row = this.db.prepare('SELECT * FROM desired_releases ORDER BY id DESC LIMIT 1').get() as
      | DesiredRow
      | undefined
    return row ? fromDesiredRow(row) : undefined
  }

  setDesiredStatus(id: number, status: DesiredStatus, detail?: string): void {
    this.db
      .prepare('UPDATE desired_releases SET status = ?, detail = ? WHERE id = ?')
      .run(status, detail?.slice(0, 2000) ?? null, id)
  }

  /** A release that started is no longer merely desired. @returns how many requests this closed. */
  markApplied(digest: string): number {
    return this.db
      .prepare(
        "UPDATE desired_releases SET status = 'applied' WHERE digest = ? AND status IN ('pending', 'handed-off')",
      )
      .run(digest).changes
  }

  private one(sql: string, ...params: unknown[]): Deploy | undefined {
    const row = this.db.prepare(sql).get(...params) as DeployRow | undefined
    return row ? fromDeployRow(row) : undefined
  }
}

interface DeployRow {
  id: number
  digest: string
  version: string | null
  deployed_by: string
  deployed_at: number
  channel: Deploy['channel']
  known_good_at: number | null
  config_version: number | null
}

interface DesiredRow {
  id: number
  digest: string
  previous_digest: string | null
  requested_by: string
  requested_at: number
  status: DesiredStatus
  detail: string | null
}

function fromDeployRow(r: DeployRow): Deploy {
  return {
    id: r.id,
    digest: r.digest,
    version: r.version,
    deployedBy: r.deployed_by,
    deployedAt: r.deployed_at,
    channel: r.channel,
    knownGoodAt: r.known_good_at,
    configVersion: r.config_version,
  }
}

function fromDesiredRow(r: DesiredRow): DesiredRelease {
  return {
    id: r.id,
    digest: r.digest,
    previousDigest: r.previous_digest,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    status: r.status,
    detail: r.detail,
  }
}
