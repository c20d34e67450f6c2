-- What the log recorded against one attempt (a second browser refused, a
-- move allowed) is read for its signals: by target, then action.
CREATE INDEX audit_log_target ON audit_log (target, action);
