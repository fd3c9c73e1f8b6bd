-- Day-independent keys for entries that show only a time of day (issue 9, SPEC §2).
-- Until now an ntv entry's key was its UTC minute ("2025-12-01T14:29Z#2"), which changed whenever the day assigned to
-- the entry changed. The new key is the entry's local time of day and headline fingerprint ("15:29~0123456789abcdef").
-- The local time needs the source's time zone, which is configuration, not data; so this migration only marks every
-- existing seen-set as written with key scheme 1, and the first poll of each source after the upgrade re-keys it (seen
-- items, recent items, outbox rows) in the same transaction as its commit. Nothing seen before becomes new.
ALTER TABLE source_state ADD COLUMN key_scheme INTEGER NOT NULL DEFAULT 1;
