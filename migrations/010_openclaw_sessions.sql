-- One row per OpenClaw route and DingTalk conversation: the session generation the route sends in the
-- OpenAI `user` field. `/reset` (or 重置) adds one, so the Gateway derives a new session from then on.
-- conversation holds a keyed hash of the conversationId unless the route sends raw ids.
CREATE TABLE openclaw_sessions (
  route        TEXT NOT NULL,
  conversation TEXT NOT NULL,
  generation   INTEGER NOT NULL DEFAULT 0,
  reset_at     INTEGER,
  PRIMARY KEY (route, conversation)
) WITHOUT ROWID;
