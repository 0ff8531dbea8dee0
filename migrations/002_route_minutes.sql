-- Per-route, per-minute counters: the recent error rate for /status, /runbook and routerctl,
-- kept in SQLite so they survive restarts and are readable when the bot is down.
CREATE TABLE route_minutes (
  minute   INTEGER NOT NULL,
  route    TEXT NOT NULL,
  messages INTEGER NOT NULL DEFAULT 0,
  errors   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, route)
) WITHOUT ROWID;

-- Small facts a process keeps between runs (the last configuration fingerprint, the last deploy seen).
CREATE TABLE kv (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
