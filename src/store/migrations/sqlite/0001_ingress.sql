-- Webhook deliveries as received (the raw payload is kept for replay and audit;
-- compressed, since payloads are large JSON and written on every delivery).
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,          -- X-GitHub-Delivery
    event        TEXT NOT NULL,             -- X-GitHub-Event
    action       TEXT,                      -- payload.action, read as a string
    installation INTEGER,                   -- payload.installation.id
    outcome      TEXT NOT NULL,             -- queued | ignored
    received_ms  INTEGER NOT NULL,
    payload      BLOB NOT NULL              -- the raw body, LZ4-compressed (size-prefixed block)
);

-- The durable job queue: webhook work and scheduled work alike.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,              -- e.g. webhook:issue_comment, rollover
    delivery_id TEXT REFERENCES deliveries(id),
    payload     TEXT NOT NULL DEFAULT '{}', -- JSON for jobs without a delivery
    dedupe_key  TEXT UNIQUE,                -- at most one job ever per key
    state       TEXT NOT NULL,              -- pending | running | retrying | done | dead
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_after_ms INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    finished_ms INTEGER,
    last_error  TEXT
);
CREATE INDEX jobs_ready ON jobs (state, run_after_ms);

-- Every attempt's error, for `sprintbot jobs` and post-mortems.
CREATE TABLE job_errors (
    job_id   INTEGER NOT NULL REFERENCES jobs(id),
    attempt  INTEGER NOT NULL,
    at_ms    INTEGER NOT NULL,
    error    TEXT NOT NULL,
    retry_at_ms INTEGER                 -- when it was scheduled to run again; NULL = dead
);

-- Every change the bot made.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms   INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    before  TEXT,
    after   TEXT,
    source  TEXT
);

CREATE TABLE installations (
    id        INTEGER PRIMARY KEY,
    account   TEXT NOT NULL,
    suspended INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE repositories (
    full_name       TEXT PRIMARY KEY,
    installation_id INTEGER NOT NULL
);
