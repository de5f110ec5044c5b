-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- Times are TEXT in the fixed-width UTC form 2006-01-02T15:04:05.000000Z, so
-- comparing two of them as strings compares them as instants. Email columns
-- are unique case-insensitively through an index on lower(email).

-- +goose Up
CREATE TABLE users (
    id                       TEXT    NOT NULL PRIMARY KEY,
    email                    TEXT    NOT NULL,
    hashed_password          TEXT,
    is_active                BOOLEAN NOT NULL DEFAULT 1,
    is_verified              BOOLEAN NOT NULL DEFAULT 0,
    is_superuser             BOOLEAN NOT NULL DEFAULT 0,
    full_name                TEXT,
    phone_number             TEXT,
    is_mfa_enabled           BOOLEAN NOT NULL DEFAULT 0,
    created_at               TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL,
    last_login               TEXT,
    tokens_invalidated_after TEXT
);
CREATE UNIQUE INDEX email_unique ON users (lower(email));

CREATE TABLE pending_registrations (
    id              TEXT NOT NULL PRIMARY KEY,
    email           TEXT NOT NULL,
    hashed_password TEXT NOT NULL,
    full_name       TEXT,
    token_hash      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX pending_email_unique ON pending_registrations (lower(email));
CREATE UNIQUE INDEX pending_token_unique ON pending_registrations (token_hash);
CREATE INDEX ix_pending_expires_at ON pending_registrations (expires_at);

CREATE TABLE token_blacklist (
    id  INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    jti TEXT    NOT NULL,
    exp TEXT    NOT NULL
);
CREATE UNIQUE INDEX jti_unique ON token_blacklist (jti);
CREATE INDEX ix_blacklist_exp ON token_blacklist (exp);

-- Login failures. email is stored lower-cased so the (email, "when") index
-- serves the lockout query directly. AUTOINCREMENT keeps ids from being
-- reused, so withdrawing a stale id can never delete someone else's row.
CREATE TABLE login_attempts (
    id     INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    email  TEXT    NOT NULL,
    "when" TEXT    NOT NULL
);
CREATE INDEX ix_login_attempts_email_when ON login_attempts (email, "when");

-- One-time password-reset and email-change tokens; only the SHA-256 of the
-- emailed token is kept.
CREATE TABLE account_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    new_email  TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX ix_account_tokens_user_id ON account_tokens (user_id);
CREATE INDEX ix_account_tokens_expires_at ON account_tokens (expires_at);

-- +goose Down
DROP TABLE account_tokens;
DROP TABLE login_attempts;
DROP TABLE token_blacklist;
DROP TABLE pending_registrations;
DROP TABLE users;
