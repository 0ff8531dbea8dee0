-- Structured error events: one row per route and code, counted, with a short redacted sample.
-- Diagnostics read these instead of logs, so no log line is ever pasted into a chat or a model.
CREATE TABLE error_events (
  route      TEXT NOT NULL,
  code       TEXT NOT NULL,
  message    TEXT NOT NULL,
  count      INTEGER NOT NULL DEFAULT 1,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  sample     TEXT,
  PRIMARY KEY (route, code)
) WITHOUT ROWID;
CREATE INDEX error_events_recent ON error_events (last_seen);
