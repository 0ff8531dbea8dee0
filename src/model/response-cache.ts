import { createHash } from 'node:crypto'
import type { DB } from '../store/db.js'

/**
 * The form two prompts must share to share a cached answer: Unicode-normalized, case-folded, whitespace
 * collapsed. "Why is checkout slow?" and "why is  checkout slow? " are the same question.
 * @example normalizePrompt('  Why is\nCheckout slow? ') // 'why is checkout slow?'
 */
function normalizePrompt(prompt: string): string {
  return prompt.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()
}

/**
 * Answers kept in SQLite, keyed by a digest of the model name and the normalized prompt, until their TTL
 * runs out. Only the digest identifies a question; expired rows are removed as new ones are written.
 * @example const cache = new ResponseCache(db, 10 * 60_000); cache.put('gpt-4o-mini', 'why?', 'because', Date.now())
 */
export class ResponseCache {
  private readonly select
  private readonly upsert
  private readonly expire

  constructor(
    db: DB,
    private readonly ttlMs: number,
  ) {
    this.select = db.prepare('SELECT answer FROM model_cache WHERE key = ? AND expires_at > ?').pluck()
    this.upsert =
      db.prepare(`INSERT INTO model_cache (key, model, answer, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, created_at = excluded.created_at, expires_at = excluded.expires_at`)
    this.expire = db.prepare('DELETE FROM model_cache WHERE expires_at <= ?')
  }

  get(model: string, prompt: string, now: number): string | undefined {
    return (this.select.get(cacheKey(model, prompt), now) as string | undefined) ?? undefined
  }

  put(model: string, prompt: string, answer: string, now: number): void {
    this.expire.run(now)
    this.upsert.run(cacheKey(model, prompt), model.slice(0, 128), answer.slice(0, 20_000), now, now + this.ttlMs)
  }
}

function cacheKey(model: string, prompt: string): string {
  return createHash('sha256').update(model).update('\u0000').update(normalizePrompt(prompt)).digest('hex')
}
