-- The last report of `examhall doctor`'s checks that the server ran itself
-- (daily, or when a platform admin asks on the status page): one row,
-- replaced by the next run. The checks are JSON: name, status, detail, fix.
CREATE TABLE doctor_reports (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    ran_at    TEXT NOT NULL,
    checks    TEXT NOT NULL CHECK (json_valid(checks) AND json_type(checks) = 'array')
) STRICT;
