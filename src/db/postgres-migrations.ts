/**
 * The PostgreSQL schema, as an append-only list of migrations (the table schema_migrations says
 * which ran). Same tables and columns as the SQLite file (src/db/migrations.ts), so one store
 * implementation serves both; only types differ (BIGINT chat ids, BIGSERIAL keys). Timestamps
 * stay ISO text, as in SQLite, so comparisons and results are the same on both engines.
 * Never edit a released migration: add a new one.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: everything SQLite migrations 1-4 hold.
  `
  CREATE TABLE subscribers (
    chat_id            BIGINT  PRIMARY KEY,
    language           TEXT    NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    time               TEXT    NOT NULL,
    zone               TEXT    NOT NULL,
    send_empty         INTEGER NOT NULL DEFAULT 1,
    active             INTEGER NOT NULL DEFAULT 0,
    schedule_from      TEXT    NOT NULL,
    seen_seq           BIGINT,
    deactivated_reason TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
  );

  CREATE TABLE topics (
    id         BIGSERIAL,
    chat_id    BIGINT  NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
    topic      TEXT    NOT NULL,
    topic_key  TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, topic_key)
  );

  CREATE TABLE deliveries (
    id              BIGSERIAL PRIMARY KEY,
    chat_id         BIGINT  NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
    slot            TEXT    NOT NULL,
    scheduled_at    TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed', 'gave_up')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    parts           TEXT,
    through_seq     BIGINT,
    parts_sent      INTEGER NOT NULL DEFAULT 0,
    in_flight       INTEGER NOT NULL DEFAULT 0,
    message_ids     TEXT    NOT NULL DEFAULT '[]',
    last_error      TEXT,
    next_attempt_at TEXT,
    claimed_at      TEXT    NOT NULL,
    sent_at         TEXT,
    claimed_by      TEXT,
    lease_until     TEXT,
    UNIQUE (chat_id, slot)
  );
  CREATE INDEX deliveries_by_status ON deliveries(status);

  CREATE TABLE articles (
    seq           BIGSERIAL PRIMARY KEY,
    article_id    TEXT    NOT NULL UNIQUE,
    content_hash  TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    removed_at    TEXT
  );

  CREATE TABLE feeds (
    url            TEXT    PRIMARY KEY,
    etag           TEXT,
    last_modified  TEXT,
    last_status    TEXT    CHECK (last_status IN ('ok', 'not_modified', 'error')),
    last_error     TEXT,
    last_polled_at TEXT,
    next_poll_at   TEXT,
    failures       INTEGER NOT NULL DEFAULT 0,
    items_added    INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE feed_items (
    feed_url      TEXT    NOT NULL,
    item_id       TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('added', 'duplicate', 'failed', 'gave_up', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    first_seen_at TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (feed_url, item_id)
  );

  CREATE TABLE inbox (
    bot_id      BIGINT  NOT NULL,
    update_id   BIGINT  NOT NULL,
    payload     TEXT    NOT NULL,
    received_at BIGINT  NOT NULL,
    done_at     BIGINT,
    PRIMARY KEY (bot_id, update_id)
  );
  CREATE INDEX inbox_pending ON inbox(bot_id, done_at);

  CREATE TABLE corpus_files (
    name         TEXT    PRIMARY KEY,
    body         TEXT,
    content_hash TEXT,
    version      BIGINT  NOT NULL,
    updated_at   TEXT    NOT NULL,
    updated_by   TEXT    NOT NULL
  );
  CREATE INDEX corpus_files_by_version ON corpus_files(version);
  CREATE SEQUENCE corpus_version;

  CREATE TABLE replicas (
    id      TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
  );
  `,
  // 2: the message an answer is written into (see the SQLite migration 5).
  `
  ALTER TABLE inbox ADD COLUMN reply_message_id BIGINT;
  `,
];
