-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- The tables mirror the SQLite schema column for column. Times are
-- TIMESTAMPTZ (microsecond precision, an instant rather than a wall-clock
-- reading); the store truncates to microseconds before writing, because
-- PostgreSQL would round the nanoseconds instead. Email columns are unique
-- case-insensitively through an index on lower(email).

-- +goose Up
CREATE TABLE users (
    id                       TEXT        NOT NULL PRIMARY KEY,
    email                    TEXT        NOT NULL,
    hashed_password          TEXT,
    is_active                BOOLEAN     NOT NULL DEFAULT TRUE,
    is_verified              BOOLEAN     NOT NULL DEFAULT FALSE,
    is_superuser             BOOLEAN     NOT NULL DEFAULT FALSE,
    full_name                TEXT,
    phone_number             TEXT,
    is_mfa_enabled           BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    last_login               TIMESTAMPTZ,
    tokens_invalidated_after TIMESTAMPTZ
);
CREATE UNIQUE INDEX email_unique ON users (lower(email));

CREATE TABLE pending_registrations (
    id              TEXT        NOT NULL PRIMARY KEY,
    email           TEXT        NOT NULL,
    hashed_password TEXT        NOT NULL,
    full_name       TEXT,
    token_hash      TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX pending_email_unique ON pending_registrations (lower(email));
CREATE UNIQUE INDEX pending_token_unique ON pending_registrations (token_hash);
CREATE INDEX ix_pending_expires_at ON pending_registrations (expires_at);

CREATE TABLE token_blacklist (
    id  BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jti TEXT        NOT NULL,
    exp TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX jti_unique ON token_blacklist (jti);
CREATE INDEX ix_blacklist_exp ON token_blacklist (exp);

-- Login failures. email is stored lower-cased so the (email, "when") index
-- serves the lockout query directly. An identity column never hands out an
-- id twice, so withdrawing a stale id can never delete someone else's row.
CREATE TABLE login_attempts (
    id     BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email  TEXT        NOT NULL,
    "when" TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_login_attempts_email_when ON login_attempts (email, "when");

-- One-time password-reset and email-change tokens; only the SHA-256 of the
-- emailed token is kept.
CREATE TABLE account_tokens (
    token_hash TEXT        NOT NULL PRIMARY KEY,
    user_id    TEXT        NOT NULL,
    purpose    TEXT        NOT NULL,
    new_email  TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_account_tokens_user_id ON account_tokens (user_id);
CREATE INDEX ix_account_tokens_expires_at ON account_tokens (expires_at);

-- +goose Down
DROP TABLE account_tokens;
DROP TABLE login_attempts;
DROP TABLE token_blacklist;
DROP TABLE pending_registrations;
DROP TABLE users;
