-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- The admin list's email-prefix search, newest first: its matches are a
-- range of email_key, and their order is by time. This index holds both,
-- so the matches are found and sorted from the index alone and only the
-- page's rows are read from the table (admin.sql, ListUsersByPrefix): at
-- 1,000,000 users a prefix matching 100,000 of them went from reading
-- 100,000 rows to reading 50 (bench/scale). users_email_key_unique stays
-- for the uniqueness of addresses.

-- +goose Up
CREATE INDEX ix_users_email_key_created_at_id ON users (email_key, created_at, id);

-- +goose Down
DROP INDEX ix_users_email_key_created_at_id;
