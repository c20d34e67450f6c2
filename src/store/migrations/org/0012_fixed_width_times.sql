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
UPDATE organization SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at);
UPDATE courses SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at);
UPDATE sections SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at);
UPDATE grants SET
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at);
UPDATE exams SET
    opens_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', opens_at), opens_at),
    closes_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', closes_at), closes_at),
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
    updated_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at),
    published_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', published_at), published_at);
UPDATE extra_time SET
    granted_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', granted_at), granted_at);
UPDATE exam_sessions SET
    started_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', started_at), started_at),
    deadline_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', deadline_at), deadline_at),
    submitted_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', submitted_at), submitted_at),
    commit_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', commit_at), commit_at);
UPDATE session_log SET
    client_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', client_at), client_at),
    server_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', server_at), server_at);
UPDATE late_items SET
    client_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', client_at), client_at),
    server_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', server_at), server_at);
UPDATE candidate_links SET
    valid_from = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', valid_from), valid_from),
    valid_until = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', valid_until), valid_until),
    created_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
    redeemed_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', redeemed_at), redeemed_at),
    revoked_at = COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', revoked_at), revoked_at);
