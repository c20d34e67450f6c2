-- Audit entries that came back with a restored bundle but cannot join this
-- database's own chain as entries (they belong to the chain of the moment
-- the bundle was made). Each is kept as it was, with its own hash checked
-- on the way in; the chain commits to all of them through the restore's own
-- entry (`backup.restore`, with their digest).
CREATE TABLE restored_audit (
    hash        BLOB PRIMARY KEY CHECK (length(hash) = 32),
    bundle      TEXT NOT NULL,
    exam_id     TEXT,
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    outcome     TEXT NOT NULL,
    client_addr TEXT,
    details     TEXT NOT NULL,
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    restored_at TEXT NOT NULL
) STRICT;

CREATE INDEX restored_audit_by_exam ON restored_audit (exam_id, seq);
