-- The chat's own settings (SPEC §5): chosen and detected language, mute, quiet hours, alert format; and a mute per
-- subscription (the mute buttons under an alert). quiet_hours is "HH:mm-HH:mm" in the subscriber's zone.

ALTER TABLE subscribers ADD COLUMN language TEXT;
ALTER TABLE subscribers ADD COLUMN detected_language TEXT;
ALTER TABLE subscribers ADD COLUMN muted_until TIMESTAMPTZ;
ALTER TABLE subscribers ADD COLUMN quiet_hours TEXT;
ALTER TABLE subscribers ADD COLUMN long_format BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE subscriptions ADD COLUMN muted_until TIMESTAMPTZ;
CREATE INDEX ix_subscriptions_muted_until ON subscriptions (muted_until) WHERE muted_until IS NOT NULL;
