-- Deploy events: one row each time a release starts (or a pipeline records one) that differs from the
-- release before it. A release that stays ready with a low error rate is marked known-good on its row,
-- together with the runtime config version that was current then.
CREATE TABLE deploys (
  id              INTEGER PRIMARY KEY,
  digest          TEXT NOT NULL,
  version         TEXT,
  deployed_by     TEXT NOT NULL,
  deployed_at     INTEGER NOT NULL,
  channel         TEXT NOT NULL CHECK (channel IN ('system', 'cli')),
  known_good_at   INTEGER,
  config_version  INTEGER
);
CREATE INDEX deploys_digest ON deploys (digest, id);
CREATE INDEX deploys_known_good ON deploys (known_good_at) WHERE known_good_at IS NOT NULL;

-- Release rollbacks asked for: the host-side reconciler applies the newest one (it reads the
-- desired-release.json copy in the data folder, since the container has no Docker socket).
-- pending: written, hook not run or not configured; handed-off: the hook exited 0;
-- failed: the hook failed or timed out and desired-release.json was put back as it was;
-- applied: the router later started with this digest.
CREATE TABLE desired_releases (
  id               INTEGER PRIMARY KEY,
  digest           TEXT NOT NULL,
  previous_digest  TEXT,
  requested_by     TEXT NOT NULL,
  requested_at     INTEGER NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'handed-off', 'failed', 'applied')),
  detail           TEXT
);

-- Audit retention: the seq and hash of the last pruned entry, signed with the audit key, so
-- `audit verify` starts the chain from here instead of the genesis hash. One row at most.
CREATE TABLE audit_checkpoint (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  seq        INTEGER NOT NULL,
  hash       TEXT NOT NULL,
  ts         TEXT NOT NULL,
  pruned_at  INTEGER NOT NULL,
  signature  TEXT NOT NULL
);
