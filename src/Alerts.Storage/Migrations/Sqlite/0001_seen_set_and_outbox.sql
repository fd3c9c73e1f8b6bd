-- Seen-set, poll bookkeeping, recent items, durable outbox and cluster leases.
-- Times are unix milliseconds (UTC).

CREATE TABLE source_state (
    source_id            TEXT    NOT NULL PRIMARY KEY,
    etag                 TEXT,
    last_modified        TEXT,
    baseline_at          INTEGER,
    last_success_at      INTEGER,
    last_failure_at      INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT
);

CREATE TABLE seen_items (
    source_id    TEXT    NOT NULL,
    item_key     TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    headline_fp  TEXT    NOT NULL,
    published    INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (source_id, item_key)
);
CREATE INDEX ix_seen_items_last_seen ON seen_items (source_id, last_seen);

CREATE TABLE recent_items (
    source_id    TEXT    NOT NULL,
    item_key     TEXT    NOT NULL,
    published    INTEGER NOT NULL,
    headline     TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    url          TEXT,
    content_hash TEXT    NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (source_id, item_key)
);
CREATE INDEX ix_recent_items_published ON recent_items (source_id, published);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id   TEXT    NOT NULL,
    source_id       TEXT    NOT NULL,
    item_key        TEXT    NOT NULL,
    published       INTEGER NOT NULL,
    headline        TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    url             TEXT,
    query           TEXT    NOT NULL,
    matched         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    enqueued_at     INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER,
    UNIQUE (subscriber_id, source_id, item_key)
);
CREATE INDEX ix_outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX ix_outbox_status ON outbox (status);

CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
