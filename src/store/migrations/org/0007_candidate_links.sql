-- Candidate links: for people without an account, one link each, for one
-- exam, usable once, inside a time window, revocable. Stored hashed. Each
-- link has its own candidate account (no e-mail, no password), enrolled in
-- one of the exam's sections.
CREATE TABLE candidate_links (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL UNIQUE,
    exam_id     TEXT NOT NULL REFERENCES exams(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    section_id  TEXT NOT NULL REFERENCES sections(id),
    label       TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    redeemed_at TEXT,
    revoked_at  TEXT,
    CHECK (valid_until > valid_from)
) STRICT;
CREATE INDEX candidate_links_by_exam ON candidate_links(exam_id);
