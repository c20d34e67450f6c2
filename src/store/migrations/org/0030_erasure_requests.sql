-- A person the organization was asked to erase while their exams' data is
-- still kept: the server erases them (src/store/erasure.rs) once the
-- retention policy has purged the last of it. Cancelled by deleting the row.
CREATE TABLE erasure_requests (
    user_id      TEXT PRIMARY KEY REFERENCES users(id),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL
) STRICT;
