-- Jobs that need a repository to themselves (commands on its sprint issue,
-- its rollover) carry a serial key: no two running jobs share one.
ALTER TABLE jobs ADD COLUMN serial_key TEXT;
CREATE INDEX jobs_serial ON jobs (serial_key, state) WHERE serial_key IS NOT NULL;
CREATE INDEX jobs_dedupe_prefix ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- What sprintbot knows about each repository, keyed by GitHub's id when it
-- is known (so a rename keeps its state) and found by name otherwise.
CREATE TABLE repos (
    full_name        TEXT PRIMARY KEY,
    repo_id          INTEGER UNIQUE,
    installation_id  INTEGER,
    -- The repository config file as last read: its text (NULL: no file),
    -- the ETag and blob sha GitHub gave, and when it was read.
    config_source    TEXT,
    config_etag      TEXT,
    config_sha       TEXT,
    config_read_ms   INTEGER,
    -- The last version of the file that was valid, kept in force while a
    -- newer one is broken.
    good_source      TEXT,
    -- The current sprint issue, as last seen.
    current_issue    INTEGER,
    current_sprint   TEXT
);
INSERT INTO repos (full_name, good_source) SELECT repo, source FROM repo_configs;
DROP TABLE repo_configs;
