-- This file is part of your application: regstack wrote it, you own it.
-- Migrations are append-only: add a new numbered file for a schema change
-- rather than editing this one, because databases that already ran it will
-- not run it again.
--
-- What keeps the user list and the user counts cheap as the table grows:
--
--   - ix_users_created_at_id serves the user list's order (newest first,
--     ties by id) and its keyset pages, so a page reads its rows from the
--     index instead of sorting the table.
--   - ix_users_email_key_c orders email_key by code point (COLLATE "C"),
--     so the email-prefix search is a range scan whatever the database's
--     collation (under a linguistic one the unique index's order is not a
--     prefix order).
--   - user_counts holds the dashboard numbers in one row, kept exact by
--     the statement triggers below in the same transaction as every
--     insert, delete or change of a counted flag, whichever statement
--     makes it. The counts are read from that row, not by counting the table. A
--     transaction that changes the counts holds the row's lock until it
--     commits, so such writes (sign-ups, deletions, flag changes) queue
--     behind each other for that moment; an update that changes no counted
--     flag (a sign-in, a new password) does not touch the row.

-- +goose Up
CREATE INDEX ix_users_created_at_id ON users (created_at, id);
CREATE INDEX ix_users_email_key_c ON users (email_key COLLATE "C");

CREATE TABLE user_counts (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    total      BIGINT  NOT NULL,
    active     BIGINT  NOT NULL,
    verified   BIGINT  NOT NULL,
    superusers BIGINT  NOT NULL
);
INSERT INTO user_counts (id, total, active, verified, superusers)
SELECT 1, count(*),
       count(*) FILTER (WHERE is_active),
       count(*) FILTER (WHERE is_verified),
       count(*) FILTER (WHERE is_superuser)
FROM users;

-- +goose StatementBegin
CREATE FUNCTION user_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts AS c SET
        total      = c.total + d.total,
        active     = c.active + d.active,
        verified   = c.verified + d.verified,
        superusers = c.superusers + d.superusers
    FROM (SELECT count(*) AS total,
                 count(*) FILTER (WHERE is_active) AS active,
                 count(*) FILTER (WHERE is_verified) AS verified,
                 count(*) FILTER (WHERE is_superuser) AS superusers
          FROM new_rows) AS d
    WHERE c.id = 1 AND d.total > 0;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts AS c SET
        total      = c.total - d.total,
        active     = c.active - d.active,
        verified   = c.verified - d.verified,
        superusers = c.superusers - d.superusers
    FROM (SELECT count(*) AS total,
                 count(*) FILTER (WHERE is_active) AS active,
                 count(*) FILTER (WHERE is_verified) AS verified,
                 count(*) FILTER (WHERE is_superuser) AS superusers
          FROM old_rows) AS d
    WHERE c.id = 1 AND d.total > 0;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts AS c SET
        active     = c.active + d.active,
        verified   = c.verified + d.verified,
        superusers = c.superusers + d.superusers
    FROM (SELECT coalesce(sum(n.is_active::int - o.is_active::int), 0) AS active,
                 coalesce(sum(n.is_verified::int - o.is_verified::int), 0) AS verified,
                 coalesce(sum(n.is_superuser::int - o.is_superuser::int), 0) AS superusers
          FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id) AS d
    WHERE c.id = 1 AND (d.active <> 0 OR d.verified <> 0 OR d.superusers <> 0);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_insert();
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_delete();
CREATE TRIGGER user_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_update();

-- +goose Down
DROP TRIGGER user_counts_update ON users;
DROP TRIGGER user_counts_delete ON users;
DROP TRIGGER user_counts_insert ON users;
DROP FUNCTION user_counts_update();
DROP FUNCTION user_counts_delete();
DROP FUNCTION user_counts_insert();
DROP TABLE user_counts;
DROP INDEX ix_users_email_key_c;
DROP INDEX ix_users_created_at_id;
