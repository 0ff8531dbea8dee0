import type { DB } from './db.js'

/** Small named facts kept between runs (the last config fingerprint, the last deploy seen). */
export class KvStore {
  constructor(private readonly db: DB) {}

  get<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined
    if (!row) return undefined
    try {
      return JSON.parse(row.value) as T
    } catch {
      return undefined
    }
  }

  set(key: string, value: unknown, now: number): void {
    this.db
      .prepare(
        'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, JSON.stringify(value), now)
  }
}
