-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- Addresses are compared by store.EmailKey (NFC, then Unicode simple
-- lower-casing) instead of lower(email), whose folding depends on the
-- server's locale. The key is computed in Go and stored beside the address.
-- SQL cannot compute it, so this file gives every existing row a
-- placeholder key (upper-case, which EmailKey never produces, and distinct
-- per row, so the unique index can be built now) and migration 3, a Go
-- step in backfill.go, replaces the placeholders with the real keys.
--
-- Besides the key: an address may now have several pending registrations
-- (one per registration with a different password), marked contested when
-- it does, and an account token remembers the address it was issued to.

-- +goose Up
ALTER TABLE users ADD COLUMN email_key TEXT;
UPDATE users SET email_key = 'UNMIGRATED ' || id;
ALTER TABLE users ALTER COLUMN email_key SET NOT NULL;
DROP INDEX email_unique;
CREATE UNIQUE INDEX users_email_key_unique ON users (email_key);

ALTER TABLE pending_registrations ADD COLUMN email_key TEXT;
UPDATE pending_registrations SET email_key = 'UNMIGRATED ' || id;
ALTER TABLE pending_registrations ALTER COLUMN email_key SET NOT NULL;
ALTER TABLE pending_registrations ADD COLUMN contested BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX pending_email_unique;
CREATE INDEX ix_pending_email_key ON pending_registrations (email_key);

-- Tokens issued before this migration get the address their account has
-- now, which is the one they were issued to unless it changed since; a
-- token whose account is gone gets '', which matches no account.
ALTER TABLE account_tokens ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE account_tokens SET email = users.email FROM users WHERE users.id = account_tokens.user_id;
ALTER TABLE account_tokens ALTER COLUMN email DROP DEFAULT;
-- CreateAccountToken replaces a user's tokens of one purpose.
CREATE INDEX ix_account_tokens_user_id_purpose ON account_tokens (user_id, purpose);
DROP INDEX ix_account_tokens_user_id;

-- +goose Down
CREATE INDEX ix_account_tokens_user_id ON account_tokens (user_id);
DROP INDEX ix_account_tokens_user_id_purpose;
ALTER TABLE account_tokens DROP COLUMN email;

-- The old schema holds one pending registration per lower(email): keep
-- the newest of each address.
DELETE FROM pending_registrations p
WHERE EXISTS (
    SELECT 1 FROM pending_registrations newer
    WHERE lower(newer.email) = lower(p.email)
      AND (newer.created_at, newer.id) > (p.created_at, p.id)
);
DROP INDEX ix_pending_email_key;
CREATE UNIQUE INDEX pending_email_unique ON pending_registrations (lower(email));
ALTER TABLE pending_registrations DROP COLUMN contested;
ALTER TABLE pending_registrations DROP COLUMN email_key;

-- Fails if two accounts' addresses differ only in case as the server's
-- lower() sees it: the old schema cannot hold them.
DROP INDEX users_email_key_unique;
CREATE UNIQUE INDEX email_unique ON users (lower(email));
ALTER TABLE users DROP COLUMN email_key;
