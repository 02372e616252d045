-- Audit entries of a body write are written before the write, held under
-- the key prefix of its answers, and released in the transaction that
-- releases them (or deleted when the write never happened): the log keeps
-- the order in which changes were applied, and a retry after a crash
-- neither loses nor repeats an entry.
ALTER TABLE audit_log ADD COLUMN held_prefix TEXT;
CREATE INDEX audit_log_held ON audit_log (held_prefix) WHERE held_prefix IS NOT NULL;
