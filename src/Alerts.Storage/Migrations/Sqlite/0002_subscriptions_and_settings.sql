-- Subscribers, subscriptions with their change feed, and the adapters' key-value settings.

CREATE TABLE subscribers (
    id                 TEXT    NOT NULL PRIMARY KEY,
    platform           TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    is_group           INTEGER NOT NULL DEFAULT 0,
    paused             INTEGER NOT NULL DEFAULT 0,
    active             INTEGER NOT NULL DEFAULT 1,
    time_zone          TEXT    NOT NULL,
    deactivated_reason TEXT,
    created_at         INTEGER NOT NULL
);

-- version: the change-feed version of the row's last change (add or move to another subscriber).
CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id TEXT    NOT NULL REFERENCES subscribers (id),
    query         TEXT    NOT NULL,
    source_id     TEXT,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX ix_subscriptions_subscriber ON subscriptions (subscriber_id, created_at, id);
CREATE INDEX ix_subscriptions_version ON subscriptions (version);

CREATE TABLE subscription_tombstones (
    subscription_id INTEGER NOT NULL PRIMARY KEY,
    version         INTEGER NOT NULL
);
CREATE INDEX ix_subscription_tombstones_version ON subscription_tombstones (version);

-- One row per change feed; taking the next value locks the row until commit, so versions commit in order.
CREATE TABLE counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('subscriptions', 0);

CREATE TABLE key_values (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
