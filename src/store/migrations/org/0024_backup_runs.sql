-- Every backup the appliance made or tried, of one exam or of the whole
-- organization (exam_id NULL): what `backup list` and the org admin's page
-- show, and what the background job reads to know what is due (a closed
-- exam without a good backup since it closed, reviews changed since the
-- last one, the nightly organization bundle) and when to try again.
CREATE TABLE backup_runs (
    id         TEXT PRIMARY KEY,
    exam_id    TEXT,
    reason     TEXT NOT NULL CHECK (reason IN ('command', 'exam_closed', 'reviews_changed', 'nightly')),
    started_at TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    file       TEXT,
    bytes      INTEGER,
    sha256     TEXT,
    error      TEXT,
    CHECK ((outcome = 'ok') = (file IS NOT NULL AND error IS NULL))
) STRICT;

CREATE INDEX backup_runs_by_exam ON backup_runs (exam_id, started_at);
