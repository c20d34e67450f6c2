-- The appliance's Ed25519 signing keys (backups' manifests, receipts): the
-- seed wrapped by the master key, the public half in the clear. One is
-- current (retired_at NULL); a rotated key stays, retired, so what it signed
-- can still be checked.
CREATE TABLE signing_keys (
    id           INTEGER PRIMARY KEY,
    public_key   BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
    wrapped_seed BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    retired_at   TEXT
) STRICT;

CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
