-- The tamper-evident audit log: who did what, when, from where, and with
-- what outcome. Each entry's hash covers the entry and the previous entry's
-- hash (the exact encoding is documented in src/audit/chain.rs), so an
-- edited, deleted, inserted or reordered entry breaks the chain. The
-- triggers make the log append-only for anyone who goes through SQL, and
-- audit_head remembers the newest entry so that a truncated tail shows.
-- The same schema serves the platform and every organization.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    client_addr TEXT,
    details     TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object'),
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

-- "What did this person do", newest first; and time-range filters.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The newest entry. Sequence 0 with 32 zero bytes means "no entry yet".
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq       INTEGER NOT NULL CHECK (seq >= 0),
    hash      BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
INSERT INTO audit_head (singleton, seq, hash) VALUES (1, 0, zeroblob(32));

-- A new entry continues the chain exactly where the head says it ends, so
-- a buggy caller cannot leave a gap or a fork.
CREATE TRIGGER audit_log_continues_the_chain BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE singleton = 1)
  OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE singleton = 1)
BEGIN
    SELECT RAISE(ABORT, 'an audit entry must continue the chain at its head');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_moves_the_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE singleton = 1;
END;

-- The head moves one entry at a time, only to an entry that exists. It is
-- never deleted, and never inserted (INSERT OR REPLACE would delete the row
-- without firing a DELETE trigger).
CREATE TRIGGER audit_head_follows_the_log BEFORE UPDATE ON audit_head
WHEN NEW.singleton IS NOT 1
  OR NEW.seq IS NOT OLD.seq + 1
  OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves only with the audit log');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
