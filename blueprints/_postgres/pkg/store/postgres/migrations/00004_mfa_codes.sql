-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- The one-time codes of the SMS second factor (store.MFACode), as in the
-- SQLite schema. A user has at most one live code of each kind, which the
-- primary key enforces: PutMFACode replaces the row in one upsert. Only
-- the SHA-256 of the code is kept. (Version 3 is the Go migration that
-- backfilled the email keys, backfill.go, so this is 4.)
--
-- The table stands alone (nothing else refers to it), so a host that adds
-- the SMS feature later can run this file after core migrations numbered
-- above it (see migrate.go).

-- +goose Up
CREATE TABLE mfa_codes (
    user_id      TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    code_hash    TEXT        NOT NULL,
    pending_id   TEXT        NOT NULL,
    phone        TEXT        NOT NULL,
    attempts     INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER     NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX ix_mfa_codes_expires_at ON mfa_codes (expires_at);

-- +goose Down
DROP TABLE mfa_codes;
