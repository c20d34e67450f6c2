-- People who sign in, their sessions, and one-time links. The same tables
-- live in platform.db (platform admins) and in every organization database
-- (staff and students), so one piece of code serves both.
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    student_number  TEXT UNIQUE,
    -- argon2id in PHC form; NULL until the person sets a password.
    password_hash   TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at      TEXT NOT NULL,
    last_sign_in_at TEXT
) STRICT;

-- A session's secret token is never stored: only its SHA-256.
CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY,
    token_hash          BLOB NOT NULL UNIQUE,
    user_id             TEXT NOT NULL REFERENCES users(id),
    csrf_token          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    idle_timeout_secs   INTEGER NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    client_addr         TEXT,
    user_agent          TEXT
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);

-- Single-use links (first set-up, invitations, password resets), stored hashed.
CREATE TABLE one_time_links (
    token_hash BLOB PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('setup', 'invitation', 'password_reset')),
    user_id    TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;
