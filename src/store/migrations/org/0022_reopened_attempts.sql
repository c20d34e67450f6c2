-- An instructor may reopen a submitted attempt until a time they choose:
-- its deadline is then that time (never cut by the exam's close), and its
-- next submission is a new one that names the one it follows.
ALTER TABLE exam_sessions ADD COLUMN reopened_until TEXT;
