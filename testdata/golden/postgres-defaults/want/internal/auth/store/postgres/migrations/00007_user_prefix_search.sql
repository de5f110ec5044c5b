-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- The admin list's email-prefix search, newest first: its matches are a
-- range of email_key in code point order (COLLATE "C"), and their order is
-- by time. This index holds both, so the matches are found and sorted by
-- an index-only scan and only the page's rows are read from the table
-- (admin.sql, ListUsersByPrefix). It replaces ix_users_email_key_c
-- (00006_user_list_and_counts.sql), whose ranges and counts it serves as
-- well, being its leading column.
--
-- Building it takes a lock that holds back writes to users for as long as
-- the build (seconds per million users); on a large table in use, create
-- it beforehand with CREATE INDEX CONCURRENTLY under this name, and this
-- migration keeps it.

-- +goose Up
CREATE INDEX IF NOT EXISTS ix_users_email_key_c_created_at_id ON users (email_key COLLATE "C", created_at, id);
DROP INDEX ix_users_email_key_c;

-- +goose Down
CREATE INDEX ix_users_email_key_c ON users (email_key COLLATE "C");
DROP INDEX ix_users_email_key_c_created_at_id;
