import { createHash } from 'node:crypto'
import type { DB } from './db.js'

// The runtime control state (skill flags, incident mode, budget overrides), versioned and attested by the audit trail.

export interface SkillFlag {
  enabled: boolean
  reason?: string
  by?: string
  at?: number
}

export interface IncidentState {
  on: boolean
  reason?: string
  by?: string
  since?: number
  expiresAt?: number
}

export interface BudgetOverride {
  maxContextTokens?: number
  maxDiagnosticBytes?: number
  maxToolCalls?: number
}

/** The runtime control state: the only place skill flags, incident mode and budget overrides live. */
export interface RuntimeState {
  skills: Record<string, SkillFlag>
  incident: IncidentState
  budgets: Record<string, BudgetOverride>
}

export interface StateVersion {
  version: number
  state: RuntimeState
  createdAt: number
  actor: string
  reason: string | null
  knownGood: boolean
  /** sha256 of the version number and the stored state text: what an audit entry commits to. */
  hash: string
}

/** Tells whether a verified audit entry commits to this version and content hash (AuditLog.attestsState). */
export type StateAttestation = (version: number, hash: string) => boolean

/** How far back `current()` looks for an attested version before it falls back to the empty state. */
const MAX_UNATTESTED = 50

export const EMPTY_STATE: RuntimeState = { skills: {}, incident: { on: false }, budgets: {} }

/**
 * Versioned runtime state in SQLite. Every change writes a new numbered version, so any version can be
 * restored. Reads check the newest version number and SQLite's data_version (two cheap lookups) and read
 * again only when either moved, so a change made by routerctl in another process is seen by the next message.
 *
 * A version counts only when a verified audit entry commits to its content hash (`attest`): a row written
 * behind the router's back (sqlite3 on the file) is skipped, reported through `onUnattested` once, and
 * listed by `unattested()` for /status. Without `attest` (tests of the store alone) every version counts.
 */
export class StateStore {
  private cached?: StateVersion
  /** The version this run's messages share, and how many changes this process had made when it was read. */
  private turnSnapshot?: { version: StateVersion; changes: number }
  /** Changes this process made (update, refresh): a snapshot taken before one is read again. */
  private changes = 0
  private cachedFor?: string
  private skipped: number[] = []
  private readonly reported = new Set<number>()
  private readonly latestVersion
  private readonly readKey
  private readonly recentRows
  private readonly byVersion
  private readonly insert

  constructor(
    private readonly db: DB,
    private readonly now: () => number = Date.now,
    private readonly attest?: StateAttestation,
    /** Called once per version that is ignored because no audit entry commits to it. */
    public onUnattested?: (version: StateVersion) => void,
  ) {
    this.latestVersion = db.prepare('SELECT MAX(version) FROM runtime_config').pluck()
    // Both halves of the cache key in one statement: it runs for every message.
    this.readKey = db
      .prepare('SELECT (SELECT MAX(version) FROM runtime_config), data_version FROM pragma_data_version')
      .raw()
    this.recentRows = db.prepare('SELECT * FROM runtime_config ORDER BY version DESC LIMIT ?')
    this.byVersion = db.prepare('SELECT * FROM runtime_config WHERE version = ?')
    this.insert = db.prepare('INSERT INTO runtime_config (state, created_at, actor, reason) VALUES (?, ?, ?, ?)')
  }

  /** The current state: the newest attested version (0, the empty state, before any change). */
  current(): StateVersion {
    // Another process's commit (routerctl, or sqlite3 editing a row in place) moves data_version: read again.
    const [latest, dataVersion] = this.readKey.get() as [number | null, number]
    const key = `${latest ?? 0}:${dataVersion}`
    if (this.cached && this.cachedFor === key) return this.cached
    const skipped: StateVersion[] = []
    let found: StateVersion | undefined
    for (const row of this.recentRows.iterate(MAX_UNATTESTED) as Iterable<VersionRow>) {
      const v = fromRow(row)
      if (this.isAttested(v)) {
        found = v
        break
      }
      skipped.push(v)
    }
    this.cached = found ?? initialVersion()
    this.cachedFor = key
    this.skipped = skipped.map((v) => v.version)
    for (const v of skipped) {
      if (this.reported.has(v.version)) continue
      this.reported.add(v.version)
      this.onUnattested?.(v)
    }
    return this.cached
  }

  /** Forgets the cached read, so an entry appended in this transaction is taken into account. */
  refresh(): void {
    this.cached = undefined
    this.changes++
  }

  /**
   * {@link current}, looked up once for all the messages started in one run of callbacks (a pump of the
   * worker pool starts dozens in a burst, each of which would otherwise run current()'s lookup), unless this
   * process changed the state since. Forgotten on the next tick, so a change by routerctl is seen by the
   * next message started after that.
   */
  currentThisTurn(): StateVersion {
    const snapshot = this.turnSnapshot
    if (snapshot && snapshot.changes === this.changes) return snapshot.version
    if (!snapshot)
      process.nextTick(() => {
        this.turnSnapshot = undefined
      })
    const version = this.current()
    this.turnSnapshot = { version, changes: this.changes }
    return version
  }

  /** The newest stored version number, attested or not: the executor compares it around an action. */
  newestVersion(): number {
    return (this.latestVersion.get() as number | null) ?? 0
  }

  /** Versions newer than the current one that no audit entry commits to: written outside the router, ignored. */
  unattested(): number[] {
    this.current()
    return [...this.skipped]
  }

  /**
   * Applies a change under a write lock, on top of the current version, and records it as a new version.
   * The caller writes the audit entry that commits to it (`stateVersion`, `stateHash`) in the same
   * transaction; the admin executor does so for every action.
   * @returns the new version, or the current one unchanged when `change` made no difference.
   */
  update(actor: string, reason: string | undefined, change: (draft: RuntimeState) => void): StateVersion {
    return this.db
      .transaction(() => {
        this.cached = undefined
        const base = this.current()
        const draft = structuredClone(base.state)
        change(draft)
        if (JSON.stringify(draft) === JSON.stringify(base.state)) return base
        const id = Number(this.insert.run(JSON.stringify(draft), this.now(), actor, reason ?? null).lastInsertRowid)
        this.refresh()
        // Not yet attested (its entry follows in the same transaction), so read it directly.
        return fromRow(this.byVersion.get(id) as VersionRow)
      })
      .immediate()
  }

  /** One version, attested or not; `attested` says whether it may be applied. */
  version(version: number): (StateVersion & { attested: boolean }) | undefined {
    const row = this.byVersion.get(version) as VersionRow | undefined
    if (!row) return undefined
    const v = fromRow(row)
    return { ...v, attested: this.isAttested(v) }
  }

  /** Newest first. */
  history(limit = 20): StateVersion[] {
    return (
      this.db.prepare('SELECT * FROM runtime_config ORDER BY version DESC LIMIT ?').all(limit) as VersionRow[]
    ).map(fromRow)
  }

  isSkillEnabled(skill: string): boolean {
    return this.current().state.skills[skill]?.enabled ?? true
  }

  private isAttested(v: StateVersion): boolean {
    return !this.attest || this.attest(v.version, v.hash)
  }
}

/**
 * The content hash an audit entry commits to: the version number and the exact stored text.
 * @example stateHash(3, '{"skills":{}}')
 */
function stateHash(version: number, text: string): string {
  return createHash('sha256').update(`${version}\n${text}`).digest('hex')
}

function initialVersion(): StateVersion {
  return {
    version: 0,
    state: structuredClone(EMPTY_STATE),
    createdAt: 0,
    actor: 'initial',
    reason: null,
    knownGood: false,
    hash: stateHash(0, JSON.stringify(EMPTY_STATE)),
  }
}

interface VersionRow {
  version: number
  state: string
  created_at: number
  actor: string
  reason: string | null
  known_good: number
}

function fromRow(row: VersionRow): StateVersion {
  let state: RuntimeState
  try {
    state = { ...structuredClone(EMPTY_STATE), ...(JSON.parse(row.state) as Partial<RuntimeState>) }
  } catch {
    state = structuredClone(EMPTY_STATE)
  }
  return {
    version: row.version,
    state,
    createdAt: row.created_at,
    actor: row.actor,
    reason: row.reason,
    knownGood: row.known_good === 1,
    hash: stateHash(row.version, row.state),
  }
}
