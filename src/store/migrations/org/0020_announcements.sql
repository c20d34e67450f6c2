-- Announcements staff and proctors send to the students of an exam (or of
-- one of its sections) while it runs, and which student read which: both
-- append-only, like every record of the exam day.
CREATE TABLE announcements (
    id         TEXT PRIMARY KEY,
    exam_id    TEXT NOT NULL REFERENCES exams(id),
    -- NULL: every section the exam is for.
    section_id TEXT REFERENCES sections(id),
    body       TEXT NOT NULL,
    made_by    TEXT NOT NULL REFERENCES users(id),
    made_at    TEXT NOT NULL
) STRICT;

CREATE INDEX announcements_by_exam ON announcements (exam_id, made_at);

CREATE TABLE announcement_reads (
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    read_at         TEXT NOT NULL,
    PRIMARY KEY (announcement_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER announcements_are_not_changed BEFORE UPDATE ON announcements
BEGIN SELECT RAISE(ABORT, 'announcements are append-only'); END;

CREATE TRIGGER announcements_are_not_removed BEFORE DELETE ON announcements
BEGIN SELECT RAISE(ABORT, 'announcements are append-only'); END;

CREATE TRIGGER announcement_reads_are_not_changed BEFORE UPDATE ON announcement_reads
BEGIN SELECT RAISE(ABORT, 'reads of announcements are append-only'); END;

CREATE TRIGGER announcement_reads_are_not_removed BEFORE DELETE ON announcement_reads
BEGIN SELECT RAISE(ABORT, 'reads of announcements are append-only'); END;
