-- One-time codes that move a running attempt to another computer: a proctor
-- or instructor issues one, the student types it on the new computer. Only
-- the code's SHA-256 is kept; a code lives 15 minutes and survives 5 wrong
-- tries. One code per attempt: issuing again replaces it.
CREATE TABLE move_codes (
    attempt_id  TEXT PRIMARY KEY REFERENCES exam_sessions(id),
    code_sha256 BLOB NOT NULL,
    issued_by   TEXT NOT NULL REFERENCES users(id),
    issued_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0
) STRICT;
