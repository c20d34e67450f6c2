-- The server checks every audit log (the platform's and each
-- organization's) once a day; the last result of each is kept here for the
-- platform's status page. One row per log, replaced by the next check.
CREATE TABLE audit_checks (
    scope      TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    intact     INTEGER NOT NULL CHECK (intact IN (0, 1)),
    entries    INTEGER NOT NULL,
    head       TEXT,
    problem    TEXT
) STRICT;
