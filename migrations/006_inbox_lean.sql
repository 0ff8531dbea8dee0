-- The inbox is read by status only at start, to resume unanswered messages: a scan then costs less than
-- keeping this index current on every message, which wrote two more WAL pages per message (its entry
-- on arrival and again on completion). With a reader holding the WAL open, every page counts.
DROP INDEX IF EXISTS inbox_pending;
