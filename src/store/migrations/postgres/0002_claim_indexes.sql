-- Claiming without walking the backlog: jobs without a serial key in due
-- order, and jobs with one by key, so a claim looks at the head of each
-- key's queue instead of every job behind a busy key.
CREATE INDEX jobs_free_ready ON jobs (state, run_after_ms, id) WHERE serial_key IS NULL;
CREATE INDEX jobs_serial_ready ON jobs (state, serial_key, run_after_ms, id) WHERE serial_key IS NOT NULL;
