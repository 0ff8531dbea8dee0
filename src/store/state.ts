import type { DB } from './db.js'

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
}

export const EMPTY_STATE: RuntimeState = { skills: {}, incident: { on: false }, budgets: {} }

/**
 * Versioned runtime state in SQLite. Every change writes a new numbered version, so any version can be
 * restored. Reads check the newest version number (one indexed lookup) and re-parse only when it moved,
 * so a change made by routerctl in another process is seen by the next message.
 */
export class StateStore {
  private cached?: StateVersion
  private readonly latestVersion
  private readonly latestRow
  private readonly byVersion
  private readonly insert

  constructor(
    private readonly db: DB,
    private readonly now: () => number = Date.now,
  ) {
    this.latestVersion = db.prepare('SELECT MAX(version) FROM runtime_config').pluck()
    this.latestRow = db.prepare('SELECT * FROM runtime_config ORDER BY version DESC LIMIT 1')
    this.byVersion = db.prepare('SELECT * FROM runtime_config WHERE version = ?')
    this.insert = db.prepare('INSERT INTO runtime_config (state, created_at, actor, reason) VALUES (?, ?, ?, ?)')
  }

  /** The current state and its version (0 before any change). */
  current(): StateVersion {
    const version = (this.latestVersion.get() as number | null) ?? 0
    if (this.cached?.version === version) return this.cached
    const row = this.latestRow.get() as VersionRow | undefined
    this.cached = row
      ? fromRow(row)
      : {
          version: 0,
          state: structuredClone(EMPTY_STATE),
          createdAt: 0,
          actor: 'initial',
          reason: null,
          knownGood: false,
        }
    return this.cached
  }

  /**
   * Applies a change under a write lock, on top of the newest version, and records it as a new version.
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
        this.insert.run(JSON.stringify(draft), this.now(), actor, reason ?? null)
        this.cached = undefined
        return this.current()
      })
      .immediate()
  }

  version(version: number): StateVersion | undefined {
    const row = this.byVersion.get(version) as VersionRow | undefined
    return row ? fromRow(row) : undefined
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
  }
}
