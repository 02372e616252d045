//! Every backend's migrations, in one place. Each is a numbered SQL script
//! applied once, in order, inside a transaction, and recorded in the
//! database's `schema_migrations` table. Never edit a released migration;
//! add the next one to each backend, keeping the two schemas alike (the
//! PostgreSQL tests compare them).

/// The SQLite file's migrations.
pub(super) const SQLITE: &[(u32, &str)] = &[
    (1, include_str!("migrations/sqlite/0001_ingress.sql")),
    (2, include_str!("migrations/sqlite/0002_lifecycle.sql")),
    (3, include_str!("migrations/sqlite/0003_repo_configs.sql")),
    (
        4,
        include_str!("migrations/sqlite/0004_serial_jobs_and_repos.sql"),
    ),
    (5, include_str!("migrations/sqlite/0005_held_audit.sql")),
    (6, include_str!("migrations/sqlite/0006_registry.sql")),
    (7, include_str!("migrations/sqlite/0007_claims.sql")),
    (8, include_str!("migrations/sqlite/0008_claim_indexes.sql")),
    (9, include_str!("migrations/sqlite/0009_last_delivery.sql")),
    (10, include_str!("migrations/sqlite/0010_write_log.sql")),
    (
        11,
        include_str!("migrations/sqlite/0011_one_dedupe_index.sql"),
    ),
];

/// The PostgreSQL database's migrations: the first brings it to the schema
/// SQLite has after its migration 7.
pub(super) const POSTGRES: &[(u32, &str)] = &[
    (1, include_str!("migrations/postgres/0001_schema.sql")),
    (
        2,
        include_str!("migrations/postgres/0002_claim_indexes.sql"),
    ),
    (
        3,
        include_str!("migrations/postgres/0003_last_delivery.sql"),
    ),
    (4, include_str!("migrations/postgres/0004_write_log.sql")),
];
