-- Which organization this file belongs to, so a file copied or renamed into
-- the wrong place is recognised before it is served.
CREATE TABLE organization (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         TEXT NOT NULL,
    slug       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
