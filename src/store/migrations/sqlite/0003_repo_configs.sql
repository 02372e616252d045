-- The last repository config that was valid, kept in force while a newer
-- version of the file is broken.
CREATE TABLE repo_configs (
    repo     TEXT PRIMARY KEY,
    source   TEXT NOT NULL,
    saved_ms INTEGER NOT NULL
);
