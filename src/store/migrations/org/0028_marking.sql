-- Marking: how an exam's points are divided, what graders gave beside the
-- tests, and whether students see their results.
--
-- A question's scheme divides its points between its tests (by weight, each
-- 1 unless set; by the test's place in the question) and rubric items (a
-- short description and points each). The instructor may change it at any
-- time, so it is a row per question that is replaced, and each change is
-- audited.
CREATE TABLE question_schemes (
    question_id  TEXT PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
    -- JSON array of whole numbers, one per test in order.
    test_weights TEXT NOT NULL CHECK (json_valid(test_weights) AND json_type(test_weights) = 'array'),
    -- JSON array of {"description": text, "points_hundredths": whole number}.
    rubric       TEXT NOT NULL CHECK (json_valid(rubric) AND json_type(rubric) = 'array'),
    updated_by   TEXT NOT NULL REFERENCES users(id),
    updated_at   TEXT NOT NULL
) STRICT;

-- Per exam: names hidden from graders until release, a second marker, and
-- whether students see how many hidden tests they passed. `label_key` (random,
-- made with the row) derives each submission's anonymous label, so no one
-- who can list attempts can work the labels out.
CREATE TABLE exam_marking (
    exam_id         TEXT PRIMARY KEY REFERENCES exams(id) ON DELETE CASCADE,
    label_key       TEXT NOT NULL CHECK (length(label_key) = 64),
    anonymous       INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    second_marker   INTEGER NOT NULL CHECK (second_marker IN (0, 1)),
    hidden_counts   INTEGER NOT NULL CHECK (hidden_counts IN (0, 1)),
    updated_by      TEXT NOT NULL REFERENCES users(id),
    updated_at      TEXT NOT NULL
) STRICT;

-- A grader's mark of one answer: the rubric items they awarded (positions,
-- JSON array; NULL when they did not mark the rubric) with the SHA-256 of
-- the rubric as it stood (an award counts only while the rubric is the
-- same: items edited, added or removed since wait to be marked again), the points that
-- replace the computed ones (hundredths; NULL for none) and feedback for
-- the student. A new mark is a new row: the latest of each marker counts,
-- and the history shows who changed what and when. The first marker's
-- marks are the ones that count; the second's stand beside them.
CREATE TABLE grading_marks (
    submission_id      TEXT NOT NULL REFERENCES submissions(id),
    question_id        TEXT NOT NULL REFERENCES questions(id),
    marker             TEXT NOT NULL CHECK (marker IN ('first', 'second')),
    rubric             TEXT CHECK (rubric IS NULL OR (json_valid(rubric) AND json_type(rubric) = 'array')),
    rubric_sha256      TEXT CHECK ((rubric IS NULL) = (rubric_sha256 IS NULL)),
    override_hundredths INTEGER CHECK (override_hundredths IS NULL OR override_hundredths >= 0),
    feedback           TEXT NOT NULL,
    marked_by          TEXT NOT NULL REFERENCES users(id),
    marked_at          TEXT NOT NULL
) STRICT;

CREATE INDEX grading_marks_by_answer ON grading_marks (submission_id, question_id, marker);

CREATE TRIGGER grading_marks_are_not_changed BEFORE UPDATE ON grading_marks
BEGIN SELECT RAISE(ABORT, 'marks are append-only'); END;

CREATE TRIGGER grading_marks_are_not_removed BEFORE DELETE ON grading_marks
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'marks are append-only'); END;

-- Releasing an exam's results to its students, and withdrawing them: the
-- latest row says whether they are released now.
CREATE TABLE result_releases (
    exam_id     TEXT NOT NULL REFERENCES exams(id),
    released    INTEGER NOT NULL CHECK (released IN (0, 1)),
    made_by     TEXT NOT NULL REFERENCES users(id),
    made_at     TEXT NOT NULL
) STRICT;

CREATE INDEX result_releases_by_exam ON result_releases (exam_id);

CREATE TRIGGER result_releases_are_not_changed BEFORE UPDATE ON result_releases
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;

CREATE TRIGGER result_releases_are_not_removed BEFORE DELETE ON result_releases
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'releases are append-only'); END;
