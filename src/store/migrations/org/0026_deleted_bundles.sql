-- When a bundle was deleted from its destination because it expired (its
-- exam was purged, or it is an organization bundle older than the
-- organization keeps exams and a newer one exists); only when IT opted in
-- with `[backup] delete_expired`.
ALTER TABLE backup_runs ADD COLUMN deleted_at TEXT;
