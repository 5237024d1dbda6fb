/**
 * The digest database's schema, as an append-only list of migrations. Migration `i` (0-based)
 * takes the database from `PRAGMA user_version = i` to `i + 1`; each runs in one transaction
 * together with the version bump. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: subscribers, topics, delivery log, article registry.
  `
  CREATE TABLE subscribers (
    chat_id            INTEGER PRIMARY KEY,
    language           TEXT    NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    time               TEXT    NOT NULL,            -- HH:MM, local to zone
    zone               TEXT    NOT NULL,            -- IANA zone
    send_empty         INTEGER NOT NULL DEFAULT 1,  -- 1: say "nothing new"; 0: skip the day
    active             INTEGER NOT NULL DEFAULT 0,  -- 1 while subscribed
    schedule_from      TEXT    NOT NULL,            -- ISO instant; earlier slots are never due
    seen_seq           INTEGER,                     -- articles.seq covered by the last digest; NULL: none yet
    deactivated_reason TEXT,                        -- 'unsubscribed' | 'blocked'
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
  );

  CREATE TABLE topics (
    chat_id    INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
    topic      TEXT    NOT NULL,                    -- as the user wrote it (trimmed, NFC)
    topic_key  TEXT    NOT NULL,                    -- lower-cased, for matching /unfollow
    created_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, topic_key)
  );

  CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
    slot            TEXT    NOT NULL,               -- the subscriber's local date, YYYY-MM-DD
    scheduled_at    TEXT    NOT NULL,               -- ISO instant the slot was due
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed', 'gave_up')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    parts           TEXT,                           -- JSON array of HTML messages, fixed when first composed
    through_seq     INTEGER,                        -- articles.seq this digest covers
    parts_sent      INTEGER NOT NULL DEFAULT 0,
    in_flight       INTEGER NOT NULL DEFAULT 0,     -- 1 while a message is on the wire
    message_ids     TEXT    NOT NULL DEFAULT '[]',  -- JSON array of Telegram message ids
    last_error      TEXT,
    next_attempt_at TEXT,                           -- for status 'failed'
    claimed_at      TEXT    NOT NULL,
    sent_at         TEXT,
    UNIQUE (chat_id, slot)
  );
  CREATE INDEX deliveries_by_status ON deliveries(status);

  CREATE TABLE articles (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- order of first sight: "new since" compares this
    article_id    TEXT    NOT NULL UNIQUE,
    content_hash  TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    removed_at    TEXT                              -- set when the file left the corpus
  );
  `,
  // 2: RSS/Atom feeds: polite polling state and the items already handled.
  `
  CREATE TABLE feeds (
    url            TEXT    PRIMARY KEY,
    etag           TEXT,                            -- sent back as If-None-Match
    last_modified  TEXT,                            -- sent back as If-Modified-Since
    last_status    TEXT    CHECK (last_status IN ('ok', 'not_modified', 'error')),
    last_error     TEXT,
    last_polled_at TEXT,                            -- ISO instant
    next_poll_at   TEXT,                            -- ISO instant; later after failures (back-off)
    failures       INTEGER NOT NULL DEFAULT 0,      -- consecutive failed polls
    items_added    INTEGER NOT NULL DEFAULT 0       -- articles this feed brought in, in all
  );

  CREATE TABLE feed_items (
    feed_url      TEXT    NOT NULL,
    item_id       TEXT    NOT NULL,                 -- guid / Atom id, else the link
    url           TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('added', 'duplicate', 'failed', 'gave_up', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,       -- ingest attempts (failed items are retried)
    last_error    TEXT,
    first_seen_at TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (feed_url, item_id)
  );
  `,
  // 3: the bot's inbox: every update written before Telegram is told it arrived, marked done once handled.
  `
  CREATE TABLE inbox (
    bot_id      INTEGER NOT NULL,                   -- the bot's Telegram id (update ids are per bot)
    update_id   INTEGER NOT NULL,
    payload     TEXT    NOT NULL,                   -- the update as JSON
    received_at INTEGER NOT NULL,                   -- ms since the epoch
    done_at     INTEGER,                            -- NULL while not handled
    PRIMARY KEY (bot_id, update_id)
  );
  CREATE INDEX inbox_pending ON inbox(bot_id, done_at);
  `,
  // 4: replicas (issue 13): a claimed digest has an owner and a lease another replica may take over
  // once it has run out; the shared corpus registry (cleaned article files, with a change counter
  // followers read from); replicas' heartbeats (each takes its share of the broadcast rate).
  `
  ALTER TABLE deliveries ADD COLUMN claimed_by  TEXT;    -- replica that holds the claim
  ALTER TABLE deliveries ADD COLUMN lease_until TEXT;    -- ISO instant; a pending row past it may be taken over

  CREATE TABLE corpus_files (
    name         TEXT    PRIMARY KEY,                  -- file name in the corpus folder (the article id + .md/.txt)
    body         TEXT,                                 -- the file as written; NULL once removed
    content_hash TEXT,
    version      INTEGER NOT NULL,                     -- increases with every change; followers read past their last
    updated_at   TEXT    NOT NULL,
    updated_by   TEXT    NOT NULL
  );
  CREATE INDEX corpus_files_by_version ON corpus_files(version);

  CREATE TABLE replicas (
    id      TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL                              -- ISO instant of the last heartbeat
  );
  `,
  // 5: the message an answer is written into (issue 12): sent as "searching…" before the answer,
  // then edited, so replaying the update after a crash edits that message instead of sending again.
  `
  ALTER TABLE inbox ADD COLUMN reply_message_id INTEGER;
  `,
];
