-- Checkpoints: the one sanctioned way to change an audit chain (retention
-- purges, restores, rollbacks, and the rewrite of old details to hashes all
-- go through it; the rules and the entry's encoding are documented in
-- src/audit/checkpoint.rs). A checkpoint opens a one-row door, audit_rewrite,
-- naming the head it replaces. While a 'rewrite' door is open, and only then,
-- entries may be deleted and the head moved back. The door closes only when
-- the newest entry is the audit.checkpoint entry naming that same old head,
-- so no change to the chain leaves the chain without a record of it.
CREATE TABLE audit_rewrite (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    kind      TEXT NOT NULL CHECK (kind IN ('rewrite', 'accept')),
    old_seq   INTEGER NOT NULL CHECK (old_seq >= 1),
    old_hash  BLOB NOT NULL CHECK (length(old_hash) = 32)
) STRICT;

-- The hashes of the entries a checkpoint took out of the chain, 32 bytes
-- each, for entries first_seq, first_seq + 1, ... up to the old head. The
-- checkpoint entry carries their SHA-256, so they cannot change unseen; they
-- let a head kept outside the server from before the checkpoint be found.
CREATE TABLE audit_superseded (
    old_head  TEXT PRIMARY KEY,
    first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
    hashes    BLOB NOT NULL CHECK (length(hashes) > 0 AND length(hashes) % 32 = 0)
) STRICT;

-- A rewrite starts from the real head; an accepted head is one kept outside
-- the database (in platform.db) that the log no longer holds.
CREATE TRIGGER audit_rewrite_starts_at_the_head BEFORE INSERT ON audit_rewrite
WHEN NEW.kind = 'rewrite'
 AND (NEW.old_seq IS NOT (SELECT seq FROM audit_head WHERE singleton = 1)
   OR NEW.old_hash IS NOT (SELECT hash FROM audit_head WHERE singleton = 1))
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint rewrite starts at the audit head');
END;

CREATE TRIGGER audit_rewrite_no_update BEFORE UPDATE ON audit_rewrite
BEGIN
    SELECT RAISE(ABORT, 'an open checkpoint cannot be changed');
END;

CREATE TRIGGER audit_rewrite_closes_with_its_entry BEFORE DELETE ON audit_rewrite
WHEN NOT EXISTS (
    SELECT 1 FROM audit_log AS l JOIN audit_head AS h ON l.seq = h.seq
    WHERE l.action = 'audit.checkpoint'
      AND json_extract(l.details, '$.old_head') = OLD.old_seq || ':' || lower(hex(OLD.old_hash)))
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint closes only with its audit.checkpoint entry');
END;

CREATE TRIGGER audit_superseded_only_in_a_checkpoint BEFORE INSERT ON audit_superseded
WHEN NEW.old_head IS NOT (SELECT old_seq || ':' || lower(hex(old_hash)) FROM audit_rewrite WHERE singleton = 1)
BEGIN
    SELECT RAISE(ABORT, 'superseded hashes are recorded only by an open checkpoint');
END;

CREATE TRIGGER audit_superseded_no_update BEFORE UPDATE ON audit_superseded
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_superseded_no_delete BEFORE DELETE ON audit_superseded
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- A checkpoint entry is written only through the door, after the hashes it
-- replaced were recorded; a plain INSERT cannot forge one.
CREATE TRIGGER audit_log_checkpoints_only_through_the_door BEFORE INSERT ON audit_log
WHEN NEW.action = 'audit.checkpoint'
 AND NOT EXISTS (
    SELECT 1 FROM audit_rewrite AS r JOIN audit_superseded AS s
      ON s.old_head = r.old_seq || ':' || lower(hex(r.old_hash))
    WHERE json_extract(NEW.details, '$.old_head') = s.old_head)
BEGIN
    SELECT RAISE(ABORT, 'an audit.checkpoint entry is written only by a checkpoint');
END;

-- Deleting stays refused, except inside an open rewrite.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_rewrite WHERE kind = 'rewrite')
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The head moves one entry at a time to an entry that exists; inside an open
-- rewrite it may also move back, to the last entry left (or to 0).
DROP TRIGGER audit_head_follows_the_log;
CREATE TRIGGER audit_head_follows_the_log BEFORE UPDATE ON audit_head
WHEN NEW.singleton IS NOT 1
  OR NOT (
       (NEW.seq IS OLD.seq + 1 AND NEW.hash IS (SELECT hash FROM audit_log WHERE seq = NEW.seq))
    OR (EXISTS (SELECT 1 FROM audit_rewrite WHERE kind = 'rewrite')
        AND NEW.seq < OLD.seq
        AND NOT EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.seq)
        AND NEW.hash IS coalesce((SELECT hash FROM audit_log WHERE seq = NEW.seq),
                                 CASE WHEN NEW.seq = 0 THEN zeroblob(32) END)))
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves only with the audit log');
END;
