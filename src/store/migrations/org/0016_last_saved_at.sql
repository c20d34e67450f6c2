-- When the server last stored an item of each attempt: the monitor and the
-- staff's page read it for every student, and reading it from the tail of
-- each attempt's log costs a page of the log per student.
ALTER TABLE exam_sessions ADD COLUMN last_saved_at TEXT;

UPDATE exam_sessions SET last_saved_at = (
    SELECT l.server_at FROM session_log l WHERE l.session_id = exam_sessions.id ORDER BY l.seq DESC LIMIT 1
);
