-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- What keeps the user list and the user counts cheap as the table grows:
--
--   - ix_users_created_at_id serves the user list's order (newest first,
--     ties by id) and its keyset pages, so a page reads its rows from the
--     index instead of sorting the table. The email-prefix search is a
--     range on users_email_key_unique (00002_email_key.sql).
--   - user_counts holds the dashboard numbers in one row, kept exact by
--     the triggers below in the same transaction as every insert, delete
--     or change of a counted flag, whichever statement makes it (sign-up,
--     verification, an operator's change, a deletion, a purge, a sign-up
--     through a provider). The counts are read from that row, not by
--     counting the table.
--
-- Booleans are 0 or 1 (00001_init.sql); "<> 0" turns any true into 1.

-- +goose Up
CREATE INDEX ix_users_created_at_id ON users (created_at, id);

CREATE TABLE user_counts (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    total      INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    verified   INTEGER NOT NULL,
    superusers INTEGER NOT NULL
);
INSERT INTO user_counts (id, total, active, verified, superusers)
SELECT 1, count(*),
       coalesce(sum(is_active <> 0), 0),
       coalesce(sum(is_verified <> 0), 0),
       coalesce(sum(is_superuser <> 0), 0)
FROM users;

-- +goose StatementBegin
CREATE TRIGGER user_counts_insert AFTER INSERT ON users
BEGIN
    UPDATE user_counts SET
        total      = total + 1,
        active     = active + (NEW.is_active <> 0),
        verified   = verified + (NEW.is_verified <> 0),
        superusers = superusers + (NEW.is_superuser <> 0)
    WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
BEGIN
    UPDATE user_counts SET
        total      = total - 1,
        active     = active - (OLD.is_active <> 0),
        verified   = verified - (OLD.is_verified <> 0),
        superusers = superusers - (OLD.is_superuser <> 0)
    WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_counts_update AFTER UPDATE OF is_active, is_verified, is_superuser ON users
WHEN (OLD.is_active <> 0) <> (NEW.is_active <> 0)
  OR (OLD.is_verified <> 0) <> (NEW.is_verified <> 0)
  OR (OLD.is_superuser <> 0) <> (NEW.is_superuser <> 0)
BEGIN
    UPDATE user_counts SET
        active     = active + (NEW.is_active <> 0) - (OLD.is_active <> 0),
        verified   = verified + (NEW.is_verified <> 0) - (OLD.is_verified <> 0),
        superusers = superusers + (NEW.is_superuser <> 0) - (OLD.is_superuser <> 0)
    WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER user_counts_update;
DROP TRIGGER user_counts_delete;
DROP TRIGGER user_counts_insert;
DROP TABLE user_counts;
DROP INDEX ix_users_created_at_id;
