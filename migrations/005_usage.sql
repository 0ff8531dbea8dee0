-- Model usage per route and minute: what /budget, /status and routerctl show, kept for 30 days.
-- requests counts asks that got an answer from the model or the cache; refusals counts over-budget ones.
CREATE TABLE model_minutes (
  minute            INTEGER NOT NULL,
  route             TEXT NOT NULL,
  requests          INTEGER NOT NULL DEFAULT 0,
  model_calls       INTEGER NOT NULL DEFAULT 0,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  tool_calls        INTEGER NOT NULL DEFAULT 0,
  cache_hits        INTEGER NOT NULL DEFAULT 0,
  cache_misses      INTEGER NOT NULL DEFAULT 0,
  refusals          INTEGER NOT NULL DEFAULT 0,
  latency_ms        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, route)
) WITHOUT ROWID;

-- One row per request that reached the model, kept about two days: the drift job needs single
-- requests (not sums) for a p95 latency over the last hour and the 24 hours before it.
CREATE TABLE model_requests (
  id                INTEGER PRIMARY KEY,
  at                INTEGER NOT NULL,
  route             TEXT NOT NULL,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  tool_calls        INTEGER NOT NULL,
  model_calls       INTEGER NOT NULL,
  latency_ms        INTEGER NOT NULL
);
CREATE INDEX model_requests_route_at ON model_requests (route, at);
CREATE INDEX model_requests_at ON model_requests (at);

-- The ask response cache: the key is a digest of the model name and the normalized prompt.
CREATE TABLE model_cache (
  key        TEXT PRIMARY KEY,
  model      TEXT NOT NULL,
  answer     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX model_cache_expiry ON model_cache (expires_at);
