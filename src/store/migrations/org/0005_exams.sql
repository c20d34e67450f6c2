-- Exams of a course: settings, the sections that take them, and ordered
-- Python questions with visible and hidden tests. "open" and "closed" are
-- not stored: they follow from the clock and the window.
CREATE TABLE exams (
    id                 TEXT PRIMARY KEY,
    course_id          TEXT NOT NULL REFERENCES courses(id),
    title              TEXT NOT NULL,
    instructions       TEXT NOT NULL DEFAULT '',
    opens_at           TEXT NOT NULL,
    closes_at          TEXT NOT NULL,
    duration_minutes   INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    late_policy        TEXT NOT NULL CHECK (late_policy IN ('refuse', 'accept_queued')),
    integrity_profile  TEXT NOT NULL CHECK (integrity_profile IN ('lenient', 'standard', 'strict')),
    require_fullscreen INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    published_at       TEXT,
    CHECK (closes_at > opens_at)
) STRICT;
CREATE INDEX exams_by_course ON exams(course_id);

CREATE TABLE exam_sections (
    exam_id    TEXT NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
    section_id TEXT NOT NULL REFERENCES sections(id),
    PRIMARY KEY (exam_id, section_id)
) STRICT;

CREATE TABLE questions (
    id             TEXT PRIMARY KEY,
    exam_id        TEXT NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    prompt         TEXT NOT NULL,
    starter_code   TEXT NOT NULL,
    model_solution TEXT NOT NULL,
    points         INTEGER NOT NULL CHECK (points BETWEEN 0 AND 1000),
    UNIQUE (exam_id, position)
) STRICT;

-- A function test compares `expression` evaluated against the student's
-- code with `expected` (both Python source). An input/output test feeds
-- `stdin` and compares the output with `expected`.
CREATE TABLE question_tests (
    id                  TEXT PRIMARY KEY,
    question_id         TEXT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    visibility          TEXT NOT NULL CHECK (visibility IN ('visible', 'hidden')),
    kind                TEXT NOT NULL CHECK (kind IN ('function', 'io')),
    expression          TEXT NOT NULL DEFAULT '',
    stdin               TEXT NOT NULL DEFAULT '',
    expected            TEXT NOT NULL,
    ignore_trailing_ws  INTEGER NOT NULL DEFAULT 1,
    UNIQUE (question_id, position)
) STRICT;
