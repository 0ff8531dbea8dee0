-- Admin notices are now tried for about a day (300 attempts, src/store/outbox.ts OUTBOX_RETRY) instead of
-- giving up after 5. A notice an older router gave up on stays given up: without this, every one of them,
-- however old, would be sent to the admin conversations again after the upgrade.
UPDATE outbox SET attempts = 300 WHERE sent_at IS NULL AND attempts >= 5;
