-- Each installation's writes of the last hour, shared by every replica:
-- GitHub allows 80 content-creating requests a rolling minute and 500 a
-- rolling hour per installation, whoever makes them.
CREATE TABLE write_log (
    installation INTEGER NOT NULL,
    at_ms        INTEGER NOT NULL,
    class        TEXT NOT NULL
);
CREATE INDEX write_log_installation ON write_log (installation, at_ms);
