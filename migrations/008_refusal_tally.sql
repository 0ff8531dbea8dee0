-- Refused and dropped `/…` attempts, counted per sender and minute. When the minute closes (or an operator
-- reads /audit) one audit entry carries the count and the row goes, in one transaction: a flood from one
-- sender costs the chain one entry a minute, and a crash loses no count (the rows are durable).
CREATE TABLE refusal_tally (
  minute        INTEGER NOT NULL,
  actor         TEXT NOT NULL,
  count         INTEGER NOT NULL,
  reasons       TEXT NOT NULL,
  commands      TEXT NOT NULL,
  conversations TEXT NOT NULL,
  first_text    TEXT NOT NULL,
  sender_corp   TEXT,
  first_at      INTEGER NOT NULL,
  last_at       INTEGER NOT NULL,
  PRIMARY KEY (minute, actor)
) WITHOUT ROWID;

-- Answers that came from a skill's fallback, per route and minute: reported beside the error rate.
ALTER TABLE route_minutes ADD COLUMN fallbacks INTEGER NOT NULL DEFAULT 0;
