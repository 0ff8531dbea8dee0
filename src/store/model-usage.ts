import type { DB } from './db.js'

// Model usage in SQLite: per-minute sums per route and one row per model request, for percentiles.

/** What one request (one `ask`) cost; `cache` is 'hit' when the answer came from the response cache. */
export interface ModelRequestRecord {
  route: string
  at: number
  promptTokens: number
  completionTokens: number
  toolCalls: number
  modelCalls: number
  latencyMs: number
  cache: 'hit' | 'miss' | 'none'
}

/** Sums for one route over a window, as /budget, /status and routerctl show them. */
export interface RouteUsage {
  route: string
  requests: number
  modelCalls: number
  promptTokens: number
  completionTokens: number
  toolCalls: number
  cacheHits: number
  cacheMisses: number
  refusals: number
  latencyMs: number
}

/** Per-request figures of one route over a window: what the drift job compares. */
export interface WindowStats {
  samples: number
  meanPromptTokens: number
  p95LatencyMs: number
  meanToolCalls: number
}

const MINUTE = 60_000

/**
 * Model usage in SQLite: per-minute sums per route (kept 30 days) and one row per request that reached the
 * model (kept about two days, for percentiles). Readable by routerctl when the bot is down.
 * @example usage.recordRequest({ route: 'ask', at: Date.now(), promptTokens: 812, completionTokens: 90, toolCalls: 1, modelCalls: 2, latencyMs: 1400, cache: 'miss' })
 */
export class ModelUsageStore {
  private readonly minuteUpsert
  private readonly requestInsert
  private readonly refusalUpsert

  constructor(private readonly db: DB) {
    this.minuteUpsert = db.prepare(`INSERT INTO model_minutes (minute, route, requests, model_calls, prompt_tokens,
        completion_tokens, tool_calls, cache_hits, cache_misses, latency_ms)
      VALUES (@minute, @route, 1, @modelCalls, @promptTokens, @completionTokens, @toolCalls, @hit, @miss, @latencyMs)
      ON CONFLICT (minute, route) DO UPDATE SET requests = requests + 1, model_calls = model_calls + excluded.model_calls,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
        tool_calls = tool_calls + excluded.tool_calls, cache_hits = cache_hits + excluded.cache_hits,
        cache_misses = cache_misses + excluded.cache_misses, latency_ms = latency_ms + excluded.latency_ms`)
    this.requestInsert =
      db.prepare(`INSERT INTO model_requests (at, route, prompt_tokens, completion_tokens, tool_calls, model_calls, latency_ms)
      VALUES (@at, @route, @promptTokens, @completionTokens, @toolCalls, @modelCalls, @latencyMs)`)
    this.refusalUpsert = db.prepare(`INSERT INTO model_minutes (minute, route, refusals) VALUES (?, ?, 1)
      ON CONFLICT (minute, route) DO UPDATE SET refusals = refusals + 1`)
  }

  /** Adds one finished request to its minute and, when it reached the model, keeps it as a sample. */
  recordRequest(r: ModelRequestRecord): void {
    const row = {
      ...r,
      route: r.route.slice(0, 64),
      latencyMs: Math.round(r.latencyMs),
      minute: Math.floor(r.at / MINUTE),
      hit: r.cache === 'hit' ? 1 : 0,
      miss: r.cache === 'miss' ? 1 : 0,
    }
    this.db
      .transaction(() => {
        this.minuteUpsert.run(row)
        if (r.modelCalls > 0) this.requestInsert.run(row)
      })
      .immediate()
  }

  recordRefusal(route: string, now: number): void {
    this.refusalUpsert.run(Math.floor(now / MINUTE), route.slice(0, 64))
  }

  /** Sums per route from `since` (epoch ms, rounded down to its minute), busiest route first. */
  summary(since: number, route?: string): RouteUsage[] {
    return this.db
      .prepare(`SELECT route, SUM(requests) AS requests, SUM(model_calls) AS modelCalls,
        SUM(prompt_tokens) AS promptTokens, SUM(completion_tokens) AS completionTokens, SUM(tool_calls) AS toolCalls,
        SUM(cache_hits) AS cacheHits, SUM(cache_misses) AS cacheMisses, SUM(refusals) AS refusals, SUM(latency_ms) AS latencyMs
      FROM model_minutes WHERE minute >= @minute AND (@route IS NULL OR route = @route)
      GROUP BY route ORDER BY SUM(prompt_tokens) DESC, route`)
      .all({ minute: Math.floor(since / MINUTE), route: route ?? null }) as RouteUsage[]
  }

  /** Mean prompt size, p95 latency and mean tool calls of the requests in [from, to). */
  windowStats(route: string, from: number, to: number): WindowStats {
    const args = { route, from, to }
    const agg = this.db
      .prepare(`SELECT COUNT(*) AS n, COALESCE(AVG(prompt_tokens), 0) AS prompt, COALESCE(AVG(tool_calls), 0) AS tools
      FROM model_requests WHERE route = @route AND at >= @from AND at < @to`)
      .get(args) as { n: number; prompt: number; tools: number }
    // Nearest-rank p95: the ceil(0.95 n)-th smallest latency, read straight from the index order.
    const rank = Math.max(0, Math.ceil(0.95 * agg.n) - 1)
    const p95 =
      agg.n === 0
        ? 0
        : (this.db
            .prepare(`SELECT latency_ms FROM model_requests WHERE route = @route AND at >= @from AND at < @to
      ORDER BY latency_ms LIMIT 1 OFFSET @rank`)
            .pluck()
            .get({ ...args, rank }) as number)
    return { samples: agg.n, meanPromptTokens: agg.prompt, p95LatencyMs: p95, meanToolCalls: agg.tools }
  }

  /** Routes with at least one request sample since `since`. */
  routesSince(since: number): string[] {
    return this.db
      .prepare('SELECT DISTINCT route FROM model_requests WHERE at >= ? ORDER BY route')
      .pluck()
      .all(since) as string[]
  }

  /** Forgets samples older than `samplesBefore` and minute sums older than `minutesBefore`. */
  pruneBefore(samplesBefore: number, minutesBefore: number): { samples: number; minutes: number } {
    return {
      samples: this.db.prepare('DELETE FROM model_requests WHERE at < ?').run(samplesBefore).changes,
      minutes: this.db.prepare('DELETE FROM model_minutes WHERE minute < ?').run(Math.floor(minutesBefore / MINUTE))
        .changes,
    }
  }
}
