-- Button offers and undo data (offer:<token>, undo:<token>) expire (issue 11): until now every offer made and every
-- subscription ended from a button left a row in key_values for good. expires_at NULL: kept until overwritten (the
-- adapters' own settings). Rows written before this migration get seven days from now, as new ones do.
-- Times are unix milliseconds (UTC).

ALTER TABLE key_values ADD COLUMN expires_at INTEGER;
CREATE INDEX ix_key_values_expires_at ON key_values (expires_at) WHERE expires_at IS NOT NULL;
UPDATE key_values SET expires_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 7 * 86400000
WHERE name LIKE 'offer:%' OR name LIKE 'undo:%';
