-- Where each organization's audit chain ended, as seen after one of its own
-- commits. It is written after the organization's commit, never before, so
-- it may lag behind the organization's file but is never ahead of it: an
-- organization whose file no longer holds this head (neither in its chain
-- nor among the hashes a checkpoint replaced) was rolled back, by an older
-- copy put in place or a lost -wal file, and is not served until IT accepts
-- its head with `examhall audit accept-head`.
CREATE TABLE org_audit_anchors (
    org_id     TEXT PRIMARY KEY REFERENCES organizations (id),
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    hash       BLOB NOT NULL CHECK (length(hash) = 32),
    updated_at TEXT NOT NULL
) STRICT;
