-- Interactive approval cards: which card (outTrackId) shows which approval request, and the state it last
-- showed, so a decision made anywhere (button, typed /approve, expiry) moves the card exactly once.
CREATE TABLE approval_cards (
  out_track_id TEXT PRIMARY KEY,
  approval_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  shown_status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX approval_cards_by_approval ON approval_cards (approval_id);
