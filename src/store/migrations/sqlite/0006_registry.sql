-- The repository registry: `repos` (keyed by name, with GitHub's id) holds
-- every repository of every installation, not only those with a config;
-- the old `repositories` list folds into it.
INSERT INTO repos (full_name, installation_id)
    SELECT full_name, installation_id FROM repositories WHERE true
    ON CONFLICT(full_name) DO UPDATE SET installation_id = excluded.installation_id;
DROP TABLE repositories;

-- When an installation's repositories were listed and their configs read
-- (once; later changes come by webhook).
ALTER TABLE installations ADD COLUMN discovered_ms INTEGER;

-- Jobs are counted per installation, so one busy tenant cannot take every
-- worker.
ALTER TABLE jobs ADD COLUMN tenant INTEGER;
CREATE INDEX jobs_tenant ON jobs (tenant, state) WHERE tenant IS NOT NULL;
