-- Leases: one holder at a time per name (e.g. the rollover of a repository),
-- so two processes sharing the store never act at once.
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);

-- Each finished step of a rollover, recorded before the next begins.
CREATE TABLE rollover_steps (
    repo    TEXT NOT NULL,
    sprint  TEXT NOT NULL,
    step    TEXT NOT NULL,
    at_ms   INTEGER NOT NULL,
    detail  TEXT,
    PRIMARY KEY (repo, sprint, step)
);
