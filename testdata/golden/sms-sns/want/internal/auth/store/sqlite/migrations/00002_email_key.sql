-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- Addresses are compared by store.EmailKey (NFC, Unicode lower case)
-- instead of SQLite's lower(), which folds ASCII only: "Östen@x.org" and
-- "östen@x.org" were two accounts. The key is computed in Go and stored
-- beside the address. regstack_email_key is that Go function, registered
-- with the driver by this package (emailkey.go), so this file only runs
-- through the package's own migrator (Open, OpenMigrator), not goose's CLI.
--
-- Pending registrations may now be several per address (one per sign-up
-- with its own password), marked contested when more than one was live,
-- and account tokens remember the address they were mailed to.

-- +goose Up
ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE users SET email_key = regstack_email_key(email);
-- Two accounts the old ASCII-only index let in may now share a key. The
-- earliest created keeps it; each later one gets a key no address maps to,
-- so it can no longer sign in or be found by email until an operator
-- deletes it or gives it another address. Open logs every such account.
UPDATE users SET email_key = char(0) || 'duplicate:' || id
WHERE EXISTS (
    SELECT 1 FROM users AS earlier
    WHERE earlier.email_key = users.email_key
      AND (earlier.created_at < users.created_at
           OR (earlier.created_at = users.created_at AND earlier.id < users.id))
);
DROP INDEX email_unique;
CREATE UNIQUE INDEX users_email_key_unique ON users (email_key);

ALTER TABLE pending_registrations ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE pending_registrations ADD COLUMN contested BOOLEAN NOT NULL DEFAULT 0;
UPDATE pending_registrations SET email_key = regstack_email_key(email);
-- Rows the old index kept apart may now share a key: nobody can tell
-- whose password either is, so both are contested.
UPDATE pending_registrations SET contested = 1
WHERE EXISTS (
    SELECT 1 FROM pending_registrations AS other
    WHERE other.email_key = pending_registrations.email_key
      AND other.id <> pending_registrations.id
);
DROP INDEX pending_email_unique;
CREATE INDEX ix_pending_email_key ON pending_registrations (email_key, created_at);

-- A token is honoured only while the account still has the address it was
-- mailed to. Tokens issued before this migration do not record it, and
-- some may predate an email change, so they are dropped: whoever was in the
-- middle of a reset asks for a new link.
DELETE FROM account_tokens;
ALTER TABLE account_tokens ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- Attempts are counted under a key the caller builds (an account's
-- EmailKey, or a prefixed key for other counters) and the store keeps
-- as given. The rows recorded so far were keyed by lower(email).
DROP INDEX ix_login_attempts_email_when;
ALTER TABLE login_attempts RENAME COLUMN email TO attempt_key;
UPDATE login_attempts SET attempt_key = regstack_email_key(attempt_key);
CREATE INDEX ix_login_attempts_key_when ON login_attempts (attempt_key, "when");

-- +goose Down
-- Back to one pending registration per lower(email). Contested ones go:
-- the old code would give the account the password of whoever signed up
-- last. Of the rest, the newest per address stays.
DELETE FROM pending_registrations WHERE contested;
DELETE FROM pending_registrations
WHERE EXISTS (
    SELECT 1 FROM pending_registrations AS newer
    WHERE lower(newer.email) = lower(pending_registrations.email)
      AND (newer.created_at > pending_registrations.created_at
           OR (newer.created_at = pending_registrations.created_at AND newer.id > pending_registrations.id))
);
DROP INDEX ix_pending_email_key;
ALTER TABLE pending_registrations DROP COLUMN contested;
ALTER TABLE pending_registrations DROP COLUMN email_key;
CREATE UNIQUE INDEX pending_email_unique ON pending_registrations (lower(email));

DROP INDEX ix_login_attempts_key_when;
ALTER TABLE login_attempts RENAME COLUMN attempt_key TO email;
CREATE INDEX ix_login_attempts_email_when ON login_attempts (email, "when");

ALTER TABLE account_tokens DROP COLUMN email;

DROP INDEX users_email_key_unique;
ALTER TABLE users DROP COLUMN email_key;
CREATE UNIQUE INDEX email_unique ON users (lower(email));
