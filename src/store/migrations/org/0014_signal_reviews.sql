-- People's decisions on signals: append-only. A change of mind is a new
-- decision shown above the old one; nothing is ever edited or removed, so
-- the history a case file shows is the history that happened.
CREATE TABLE signal_reviews (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES exam_sessions(id),
    -- The signal: its kind and its first evidence item (`large_paste:12`),
    -- which stay the same when the signal is derived again.
    signal     TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('dismissed', 'noted', 'referred')),
    comment    TEXT NOT NULL,
    made_by    TEXT NOT NULL REFERENCES users(id),
    made_at    TEXT NOT NULL
) STRICT;

CREATE INDEX signal_reviews_by_session ON signal_reviews (session_id, made_at);

CREATE TRIGGER signal_reviews_are_not_changed BEFORE UPDATE ON signal_reviews
BEGIN SELECT RAISE(ABORT, 'signal reviews are append-only'); END;

CREATE TRIGGER signal_reviews_are_not_removed BEFORE DELETE ON signal_reviews
BEGIN SELECT RAISE(ABORT, 'signal reviews are append-only'); END;
