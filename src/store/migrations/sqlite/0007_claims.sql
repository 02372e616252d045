-- Jobs are claimed by a named worker until a time its heartbeat renews:
-- a job whose worker died is taken over once its claim expires, and a
-- worker whose claim was taken cannot complete the job any more.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN claim_until_ms INTEGER;
-- Never two running jobs with one serial key, whatever races.
CREATE UNIQUE INDEX jobs_one_running_per_serial ON jobs (serial_key)
    WHERE state = 'running' AND serial_key IS NOT NULL;

-- Each installation's next write slot and rate-limit reset, shared by
-- every process: GitHub's limits are per installation, not per process.
CREATE TABLE write_slots (
    installation     INTEGER PRIMARY KEY,
    next_ms          INTEGER NOT NULL,
    limited_until_ms INTEGER
);
