-- Students' attempts: extra time, sessions bound to a server-issued secret,
-- the durable log of edits and integrity events, and the latest answers.
CREATE TABLE extra_time (
    exam_id    TEXT NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
    label      TEXT NOT NULL DEFAULT '',
    granted_at TEXT NOT NULL,
    PRIMARY KEY (exam_id, user_id)
) STRICT;

CREATE TABLE exam_sessions (
    id            TEXT PRIMARY KEY,
    exam_id       TEXT NOT NULL REFERENCES exams(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    secret_hash   BLOB NOT NULL,
    started_at    TEXT NOT NULL,
    deadline_at   TEXT NOT NULL,
    submitted_at  TEXT,
    submit_reason TEXT CHECK (submit_reason IN ('student', 'deadline')),
    UNIQUE (exam_id, user_id)
) STRICT;

-- The durable queue of one attempt: every edit (with the question's code
-- after it and the editor's change set) and every integrity event, in the
-- client's sequence. A resent item is ignored, so saves are idempotent.
CREATE TABLE session_log (
    session_id  TEXT NOT NULL REFERENCES exam_sessions(id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT NOT NULL,
    question_id TEXT REFERENCES questions(id),
    client_at   TEXT NOT NULL,
    server_at   TEXT NOT NULL,
    late        INTEGER NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, seq)
) STRICT;

-- The latest code per question (the highest sequence wins).
CREATE TABLE answers (
    session_id  TEXT NOT NULL REFERENCES exam_sessions(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    code        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (session_id, question_id)
) STRICT;
