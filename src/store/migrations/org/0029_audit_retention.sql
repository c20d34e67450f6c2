-- How long the organization keeps its audit entries (NULL: indefinitely),
-- never below the platform's minimum (checked by the service).
ALTER TABLE retention_policy ADD COLUMN audit_days INTEGER CHECK (audit_days IS NULL OR audit_days >= 1);

-- Audit entries past their retention are emptied, not deleted: an emptied
-- entry keeps its place, its time and both hashes, so the chain still links
-- from its first entry to its head and every head kept from before still
-- verifies; only what it said (who, what, about whom, details) goes. This
-- happens only inside an open checkpoint (src/store/audit/checkpoint.rs,
-- kind 'trim'), whose entry names the last entry emptied; checkpoint entries
-- themselves are never emptied, so the record of every change of the chain
-- stays whole. Any other change of an entry stays refused.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
        EXISTS (SELECT 1 FROM audit_rewrite WHERE kind = 'rewrite')
    AND OLD.action IS NOT 'audit.checkpoint'
    AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at
    AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
    AND NEW.actor = '' AND NEW.actor_label = '' AND NEW.action = 'audit.emptied'
    AND NEW.target IS NULL AND NEW.outcome = 'success' AND NEW.client_addr IS NULL
    AND NEW.details = '{}')
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- A rewrite (erasing a person's details, src/store/audit/checkpoint.rs)
-- appends again every entry after the first it changes, checkpoint entries
-- too: a checkpoint entry may be written again inside an open rewrite when
-- the hashes it names are recorded already (it is one the log held).
DROP TRIGGER audit_log_checkpoints_only_through_the_door;
CREATE TRIGGER audit_log_checkpoints_only_through_the_door BEFORE INSERT ON audit_log
WHEN NEW.action = 'audit.checkpoint'
 AND NOT EXISTS (
    SELECT 1 FROM audit_rewrite AS r JOIN audit_superseded AS s
      ON s.old_head = r.old_seq || ':' || lower(hex(r.old_hash))
    WHERE json_extract(NEW.details, '$.old_head') = s.old_head)
 AND NOT (
        EXISTS (SELECT 1 FROM audit_rewrite WHERE kind = 'rewrite')
    AND EXISTS (SELECT 1 FROM audit_superseded WHERE old_head = json_extract(NEW.details, '$.old_head')))
BEGIN
    SELECT RAISE(ABORT, 'an audit.checkpoint entry is written only by a checkpoint');
END;

-- The checkpoint entries, found without reading the whole log (each trim,
-- each check of the log, each look at the retention page reads them).
CREATE INDEX audit_log_checkpoints ON audit_log (seq) WHERE action = 'audit.checkpoint';
