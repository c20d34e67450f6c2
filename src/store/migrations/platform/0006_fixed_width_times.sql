-- Every stored time in one fixed-width form, UTC to the millisecond
-- ("2026-06-01T09:30:00.000Z"), so that comparing the text compares the
-- times. Earlier versions left out a zero fraction ("...:00Z" sorted after
-- "...:00.500Z"). A value SQLite cannot read as a time is kept as it is.
-- Not touched: the audit log (its entries are hash-chained as written) and
-- frozen submissions (their receipt is the record).
UPDATE users SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
    last_sign_in_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', last_sign_in_at), last_sign_in_at);
UPDATE sessions SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
    last_seen_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at), last_seen_at),
    absolute_expires_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', absolute_expires_at), absolute_expires_at);
UPDATE one_time_links SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
    expires_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', expires_at), expires_at),
    used_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', used_at), used_at);
UPDATE organizations SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at);
UPDATE org_audit_anchors SET
    updated_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at);
