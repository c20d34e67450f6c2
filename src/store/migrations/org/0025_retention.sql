-- How long the organization keeps an exam's data after the exam closed:
-- its integrity evidence (the edit and event log, late items, reviews,
-- incident notes, similarity runs) and the exam as a whole. No row, or a
-- NULL, keeps it indefinitely. Set by an org admin, never below the
-- platform's minimum (checked by the service, which knows the config).
CREATE TABLE retention_policy (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    evidence_days INTEGER CHECK (evidence_days IS NULL OR evidence_days >= 1),
    exam_days     INTEGER CHECK (exam_days IS NULL OR exam_days >= 1),
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (evidence_days IS NULL OR exam_days IS NULL OR evidence_days <= exam_days)
) STRICT;

-- An exam under legal hold (a dispute in progress): no purge touches it
-- until the hold is released.
CREATE TABLE legal_holds (
    exam_id TEXT PRIMARY KEY REFERENCES exams(id),
    reason  TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    held_by TEXT NOT NULL,
    held_at TEXT NOT NULL
) STRICT;

-- What each purge removed: kept after the exam itself is gone, so the
-- organization can say when and under which policy its data went.
CREATE TABLE purges (
    exam_id   TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('evidence', 'exam')),
    title     TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    purged_at TEXT NOT NULL,
    days      INTEGER NOT NULL,
    rows      INTEGER NOT NULL,
    PRIMARY KEY (exam_id, kind)
) STRICT;

-- The door a purge opens inside its own transaction, and closes before it
-- commits: only while it is open may rows that are otherwise never deleted
-- (submissions, reviews, notes, announcements) go.
CREATE TABLE retention_purge (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    exam_id   TEXT NOT NULL
) STRICT;

DROP TRIGGER submissions_are_kept;
CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;

DROP TRIGGER submission_answers_are_kept;
CREATE TRIGGER submission_answers_are_kept BEFORE DELETE ON submission_answers
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'submissions are frozen'); END;

DROP TRIGGER announcements_are_not_removed;
CREATE TRIGGER announcements_are_not_removed BEFORE DELETE ON announcements
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'announcements are append-only'); END;

DROP TRIGGER announcement_reads_are_not_removed;
CREATE TRIGGER announcement_reads_are_not_removed BEFORE DELETE ON announcement_reads
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'reads of announcements are append-only'); END;

DROP TRIGGER pair_reviews_are_not_removed;
CREATE TRIGGER pair_reviews_are_not_removed BEFORE DELETE ON pair_reviews
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'pair reviews are append-only'); END;

DROP TRIGGER signal_reviews_are_not_removed;
CREATE TRIGGER signal_reviews_are_not_removed BEFORE DELETE ON signal_reviews
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'signal reviews are append-only'); END;

DROP TRIGGER incident_notes_are_not_removed;
CREATE TRIGGER incident_notes_are_not_removed BEFORE DELETE ON incident_notes
WHEN NOT EXISTS (SELECT 1 FROM retention_purge)
BEGIN SELECT RAISE(ABORT, 'incident notes are append-only'); END;
