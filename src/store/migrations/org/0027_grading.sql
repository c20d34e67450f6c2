-- Grading: the result of one test of a question on one frozen submission, as
-- it ran in the browser of one of the course's instructors or reviewers.
--
-- A result names the code it ran on (the SHA-256 of the submitted answer,
-- as the receipt gives it) and the test as it stood when it ran (the SHA-256
-- of its kind, expression, input, expected value and comparison), so a test
-- changed after grading is graded again as a new row and the old row stays:
-- an edited exam replaces its tests' rows, and what was graded must not go
-- with them. Rows are never changed; a re-run of the same code on the same
-- test adds nothing.
CREATE TABLE grading_results (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    question_id   TEXT NOT NULL REFERENCES questions(id),
    test_sha256   TEXT NOT NULL CHECK (length(test_sha256) = 64),
    code_sha256   TEXT NOT NULL CHECK (length(code_sha256) = 64),
    outcome       TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'error', 'timed_out')),
    expected      TEXT NOT NULL,
    actual        TEXT NOT NULL,
    stdout        TEXT NOT NULL,
    stderr        TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),
    graded_by     TEXT NOT NULL REFERENCES users(id),
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (submission_id, question_id, test_sha256)
) STRICT;

CREATE TRIGGER grading_results_are_not_changed BEFORE UPDATE ON grading_results
BEGIN SELECT RAISE(ABORT, 'grading results are append-only'); END;

CREATE TRIGGER grading_results_are_not_removed BEFORE DELETE ON grading_results
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'grading results are append-only'); END;
