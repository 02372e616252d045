-- `jobs_dedupe_prefix` indexed the same column as the UNIQUE constraint's
-- own index, which serves every prefix lookup (`dedupe_key >= ?`) as well;
-- every job with a key paid for two index entries, in a page of each, in
-- the write that stores a delivery. (PostgreSQL never had the second one.)
DROP INDEX IF EXISTS jobs_dedupe_prefix;
