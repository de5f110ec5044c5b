-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- Sign in with Google (store.OAuth), as in the SQLite schema.
-- oauth_identities links a user to an account at a provider: a provider
-- account belongs to at most one user, and a user has at most one account
-- of each provider. The second unique index also serves every lookup by
-- user_id, so there is no index of its own for that. oauth_states holds
-- the sign-ins in flight, keyed by the OAuth state parameter;
-- completion_hash is the SHA-256 of the id the browser exchanges for its
-- session once the callback has succeeded (NULL until then; a unique
-- index holds any number of NULLs).
--
-- The tables stand alone (DeleteUser deletes a user's rows itself, as for
-- every other table), so a host that adds the feature later can run this
-- file after core migrations numbered above it (see migrate.go).

-- +goose Up
CREATE TABLE oauth_identities (
    id           TEXT        NOT NULL PRIMARY KEY,
    user_id      TEXT        NOT NULL,
    provider     TEXT        NOT NULL,
    subject_id   TEXT        NOT NULL,
    email        TEXT,
    linked_at    TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX oauth_identities_subject_unique ON oauth_identities (provider, subject_id);
CREATE UNIQUE INDEX oauth_identities_user_provider_unique ON oauth_identities (user_id, provider);

CREATE TABLE oauth_states (
    id              TEXT        NOT NULL PRIMARY KEY,
    provider        TEXT        NOT NULL,
    code_verifier   TEXT        NOT NULL,
    nonce           TEXT        NOT NULL,
    browser_hash    TEXT        NOT NULL,
    redirect_to     TEXT        NOT NULL,
    mode            TEXT        NOT NULL CHECK (mode IN ('signin', 'link')),
    linking_user_id TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ,
    completion_hash TEXT,
    result_user_id  TEXT,
    was_new         BOOLEAN     NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX oauth_states_completion_unique ON oauth_states (completion_hash);
CREATE INDEX ix_oauth_states_expires_at ON oauth_states (expires_at);

-- +goose Down
DROP TABLE oauth_states;
DROP TABLE oauth_identities;
