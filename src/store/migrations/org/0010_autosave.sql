-- Autosave that can neither lose, mix nor back-date a student's work
-- (docs/autosave.md): the log is contiguous and chained, an attempt is bound
-- to one browser at a time, late items wait beside a frozen submission.

-- The log as the server holds it: every item up to acked_seq is durable, and
-- `chain` is the running SHA-256 over their exact JSON text (NULL: the
-- chain's start). The current binding began at binding_seq; staff may allow
-- another browser to take the attempt over (move_allowed). The commitment is
-- the last one heard before the deadline. stored_bytes counts against the
-- attempt's quota; late_seq/late_chain continue the chain after the deadline.
ALTER TABLE exam_sessions ADD COLUMN acked_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exam_sessions ADD COLUMN chain BLOB;
ALTER TABLE exam_sessions ADD COLUMN binding_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE exam_sessions ADD COLUMN move_allowed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exam_sessions ADD COLUMN commit_seq INTEGER;
ALTER TABLE exam_sessions ADD COLUMN commit_hash BLOB;
ALTER TABLE exam_sessions ADD COLUMN commit_at TEXT;
ALTER TABLE exam_sessions ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exam_sessions ADD COLUMN late_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exam_sessions ADD COLUMN late_chain BLOB;

-- Attempts logged before this version: durable up to the first gap.
UPDATE exam_sessions SET
    acked_seq = coalesce((
        SELECT min(a.seq) FROM session_log a
        WHERE a.session_id = exam_sessions.id
          AND NOT EXISTS (SELECT 1 FROM session_log b WHERE b.session_id = a.session_id AND b.seq = a.seq + 1)
    ), 0),
    stored_bytes = coalesce((SELECT sum(length(CAST(payload AS BLOB))) FROM session_log l WHERE l.session_id = exam_sessions.id), 0)
WHERE EXISTS (SELECT 1 FROM session_log l WHERE l.session_id = exam_sessions.id AND l.seq = 1);

-- New log rows keep the item's exact JSON text in `payload` and the chain
-- after it; `applied` says whether an edit applied to the server's code (or
-- a snapshot matched it). Rows from before this version have no chain.
ALTER TABLE session_log ADD COLUMN chain BLOB;
ALTER TABLE session_log ADD COLUMN applied INTEGER;

-- Items that arrived after the deadline (or after the submission). Never
-- applied by themselves: accepted ones (proven queued in time) wait for an
-- instructor's decision, refused ones are kept as evidence.
CREATE TABLE late_items (
    session_id  TEXT NOT NULL REFERENCES exam_sessions(id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT NOT NULL,
    question_id TEXT REFERENCES questions(id),
    client_at   TEXT NOT NULL,
    server_at   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'applied')),
    reason      TEXT,
    chain       BLOB NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) STRICT;

-- Frozen submissions: the answers, the log sequence they correspond to and
-- the receipt, made once and never changed. A later submission of the same
-- attempt (late items applied, a reopened attempt) references the one it replaces.
CREATE TABLE submissions (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES exam_sessions(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    reason         TEXT NOT NULL CHECK (reason IN ('student', 'deadline', 'late_items', 'reopened')),
    submitted_at   TEXT NOT NULL,
    log_seq        INTEGER NOT NULL,
    receipt        TEXT NOT NULL,
    receipt_sha256 TEXT NOT NULL,
    previous_id    TEXT REFERENCES submissions(id),
    made_by        TEXT REFERENCES users(id),
    UNIQUE (session_id, number)
) STRICT;

CREATE TABLE submission_answers (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    question_id   TEXT NOT NULL REFERENCES questions(id),
    code          TEXT NOT NULL,
    PRIMARY KEY (submission_id, question_id)
) STRICT;

CREATE TRIGGER submissions_are_frozen BEFORE UPDATE ON submissions
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;
CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;
CREATE TRIGGER submission_answers_are_frozen BEFORE UPDATE ON submission_answers
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;
CREATE TRIGGER submission_answers_are_kept BEFORE DELETE ON submission_answers
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;
