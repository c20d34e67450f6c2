-- Incident notes that staff and proctors write during an exam, about one
-- student or a whole section: append-only, like every record of the exam day.
CREATE TABLE incident_notes (
    id         TEXT PRIMARY KEY,
    exam_id    TEXT NOT NULL REFERENCES exams(id),
    section_id TEXT NOT NULL REFERENCES sections(id),
    -- The student the note is about; NULL for the whole section.
    user_id    TEXT REFERENCES users(id),
    note       TEXT NOT NULL,
    made_by    TEXT NOT NULL REFERENCES users(id),
    made_at    TEXT NOT NULL
) STRICT;

CREATE INDEX incident_notes_by_exam ON incident_notes (exam_id, made_at);

CREATE TRIGGER incident_notes_are_not_changed BEFORE UPDATE ON incident_notes
BEGIN SELECT RAISE(ABORT, 'incident notes are append-only'); END;

CREATE TRIGGER incident_notes_are_not_removed BEFORE DELETE ON incident_notes
BEGIN SELECT RAISE(ABORT, 'incident notes are append-only'); END;
