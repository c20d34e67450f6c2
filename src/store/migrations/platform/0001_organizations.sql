-- Organizations served by this appliance. Each has its own database file,
-- orgs/<id>.db, encrypted with a random key that is stored here only in
-- wrapped form (ChaCha20-Poly1305 under the master key, bound to the id).
CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
    created_at  TEXT NOT NULL
) STRICT;
