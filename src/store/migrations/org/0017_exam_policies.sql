-- Each exam's policy as its instructor set it: the integrity thresholds
-- (NULL keeps the exam's profile as it stands) and what proctors of its
-- sections may do. An exam without a row has the defaults: its profile, and
-- proctors who watch but neither read code nor grant time.
CREATE TABLE exam_policies (
    exam_id               TEXT PRIMARY KEY REFERENCES exams(id),
    -- JSON: the whole adjusted table (docs/integrity.md), or NULL.
    thresholds            TEXT,
    proctors_read_code    INTEGER NOT NULL CHECK (proctors_read_code IN (0, 1)),
    -- The most extra minutes a proctor may give one student (0: none).
    proctor_extra_minutes INTEGER NOT NULL CHECK (proctor_extra_minutes BETWEEN 0 AND 600),
    updated_by            TEXT NOT NULL REFERENCES users(id),
    updated_at            TEXT NOT NULL
) STRICT;
