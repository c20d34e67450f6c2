-- An organization deactivated while its file was refused (not served until
-- IT accepts it) could not have its sessions ended then: they end the next
-- time its file opens, before anything is served from it.
ALTER TABLE organizations ADD COLUMN end_sessions_at_open INTEGER NOT NULL DEFAULT 0
    CHECK (end_sessions_at_open IN (0, 1));
