-- Courses, their sections, and who holds which role where.
CREATE TABLE courses (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE sections (
    id         TEXT PRIMARY KEY,
    course_id  TEXT NOT NULL REFERENCES courses(id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (course_id, name)
) STRICT;

-- A role at its scope: org_admin for the organization, instructor and
-- reviewer for a course, proctor and student for a section (whose course is
-- stored too, so course-wide questions need no join).
CREATE TABLE grants (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL CHECK (role IN ('org_admin', 'instructor', 'reviewer', 'proctor', 'student')),
    course_id  TEXT REFERENCES courses(id),
    section_id TEXT REFERENCES sections(id),
    created_at TEXT NOT NULL,
    CHECK (
        (role = 'org_admin' AND course_id IS NULL AND section_id IS NULL)
        OR (role IN ('instructor', 'reviewer') AND course_id IS NOT NULL AND section_id IS NULL)
        OR (role IN ('proctor', 'student') AND course_id IS NOT NULL AND section_id IS NOT NULL)
    )
) STRICT;
CREATE UNIQUE INDEX grants_unique ON grants(user_id, role, ifnull(course_id, ''), ifnull(section_id, ''));
CREATE INDEX grants_by_course ON grants(course_id);
