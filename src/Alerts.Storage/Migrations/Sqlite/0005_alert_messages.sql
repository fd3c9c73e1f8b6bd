-- An alert follows its entry (SPEC §4, issue 11): where the platform put a sent alert, so that a later update of the
-- entry edits that message. message_chat is the Telegram chat id or the Discord channel id (a DM's channel), message_id
-- the platform's message id; both stay NULL for rows sent in a combined backlog message (never edited) and for channels
-- that return no id (console, webhook). A pending row with a message is an edit waiting to go out. revision counts the
-- entry's updates: a send of an older revision leaves the row due again, so an update made while it was in flight is
-- not lost. edited_at is the last edit the platform accepted; sent_at stays the time of the alert itself.
-- Times are unix milliseconds (UTC).

ALTER TABLE outbox ADD COLUMN message_chat TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN edited_at INTEGER;
CREATE INDEX ix_outbox_item ON outbox (source_id, item_key);
