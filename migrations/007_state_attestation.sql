-- A runtime state version is applied only when an audit entry commits to its content hash
-- (args.stateVersion and args.stateHash); this finds those entries without a scan.
CREATE INDEX audit_state_version ON audit (json_extract(args, '$.stateVersion'))
  WHERE json_extract(args, '$.stateVersion') IS NOT NULL;

-- Break-glass reviews are `review-ack` entries in the chain; this finds them without a scan.
CREATE INDEX audit_review_acks ON audit (action, outcome) WHERE action = 'review-ack';

-- Versions and reviews written before this migration were never committed to by an entry. The first
-- process that opens the database with the audit key attests the newest version and copies the reviews
-- into the chain, once (see src/store/legacy-attestation.ts), then empties this table.
CREATE TABLE legacy_attestation (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO legacy_attestation (id, version) SELECT 1, COALESCE(MAX(version), 0) FROM runtime_config;
