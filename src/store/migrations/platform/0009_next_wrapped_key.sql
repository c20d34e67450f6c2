-- A new key of an organization's database while `examhall keys rekey-org`
-- re-encrypts the file: recorded (wrapped) before the re-encrypted file
-- replaces the old one, promoted to wrapped_key after. A crash in between
-- leaves the file openable by one of the two, and the next start keeps that
-- one.
ALTER TABLE organizations ADD COLUMN next_wrapped_key BLOB;
