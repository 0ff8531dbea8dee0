-- Inbound messages: durable dedup and an inbox, so a redelivery or a restart runs nothing twice
-- and a message acked before a crash is still answered after the restart.
CREATE TABLE inbox (
  msg_id       TEXT PRIMARY KEY,
  received_at  INTEGER NOT NULL,
  payload      TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  completed_at INTEGER
);
CREATE INDEX inbox_pending ON inbox (status, received_at);

-- The audit trail: append-only, each row chained to the one before by an HMAC.
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,
  ts          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  channel     TEXT NOT NULL CHECK (channel IN ('dingtalk', 'cli', 'system', 'cron')),
  action      TEXT NOT NULL,
  args        TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('requested', 'approved', 'denied', 'expired', 'executed', 'rejected', 'failed')),
  approval_id TEXT,
  break_glass INTEGER NOT NULL DEFAULT 0,
  os_user     TEXT,
  detail      TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE INDEX audit_break_glass ON audit (break_glass, seq);

-- Reviews of break-glass entries live beside the chain, because the chain itself is never updated.
CREATE TABLE audit_reviews (
  seq         INTEGER PRIMARY KEY REFERENCES audit (seq),
  reviewed_by TEXT NOT NULL,
  reviewed_at INTEGER NOT NULL
);

-- Two-person approval requests.
CREATE TABLE approvals (
  id              TEXT PRIMARY KEY,
  command         TEXT NOT NULL,
  args            TEXT NOT NULL,
  args_hash       TEXT NOT NULL,
  requester       TEXT NOT NULL,
  requester_name  TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  decided_by      TEXT,
  decided_at      INTEGER,
  signature       TEXT NOT NULL
);
CREATE INDEX approvals_pending ON approvals (status, expires_at);

-- Runtime control state (skill flags, incident mode, budgets): every change is a new numbered version.
CREATE TABLE runtime_config (
  version    INTEGER PRIMARY KEY,
  state      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  reason     TEXT,
  known_good INTEGER NOT NULL DEFAULT 0
);

-- Notices for the admin conversations, written by any process and sent by the connected bot.
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  text       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER,
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
