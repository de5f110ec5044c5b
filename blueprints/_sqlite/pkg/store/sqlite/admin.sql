-- The admin API's queries (the dashboard numbers and the user list), which
-- sqlc compiles into sqlitedb/admin.sql.go. Times and addresses are kept as
-- query.sql describes. Every query here is served by an index
-- (00005_user_list_and_counts.sql, 00006_user_prefix_search.sql);
-- admin_plan_test.go reads their plans.

-- name: UserCounts :one
-- The counts the triggers of 00005_user_list_and_counts.sql keep.
SELECT total, active, verified, superusers FROM user_counts WHERE id = 1;

-- name: CountLivePending :one
SELECT count(*) FROM pending_registrations WHERE expires_at > sqlc.arg(now);

-- name: ListUsers :many
-- Newest first, read backwards along ix_users_created_at_id.
SELECT * FROM users
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip);

-- name: ListUsersAfter :many
-- The page after a cursor (the last row of the previous page): a range on
-- ix_users_created_at_id, however deep.
SELECT * FROM users
WHERE created_at <= sqlc.arg(created_at)
  AND (created_at < sqlc.arg(created_at) OR id < sqlc.arg(id))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip);

-- name: ListUsersByPrefix :many
-- The users whose email key starts with a prefix, newest first. The
-- matches are the range [prefix, end) of ix_users_email_key_created_at_id
-- (00006_user_prefix_search.sql), where end is store.KeyPrefixEnd(prefix)
-- (BINARY collation compares bytes, and UTF-8 byte order is code point
-- order; unlike LIKE, the range is case-sensitive and has no wildcards, so
-- the key needs no escaping). The inner query sorts them by time from that
-- index alone, which holds the time and id the order needs; only the
-- page's rows are then read from the table. The cost still follows the
-- number of matches, at an index entry each (a one-letter prefix on a large
-- table is the slow case: bench/scale).
SELECT * FROM users
WHERE id IN (
    SELECT m.id FROM users m
    WHERE m.email_key >= sqlc.arg(prefix) AND m.email_key < sqlc.arg(prefix_end)
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip)
)
ORDER BY created_at DESC, id DESC;

-- name: ListUsersByPrefixAfter :many
SELECT * FROM users
WHERE id IN (
    SELECT m.id FROM users m
    WHERE m.email_key >= sqlc.arg(prefix) AND m.email_key < sqlc.arg(prefix_end)
      AND m.created_at <= sqlc.arg(created_at)
      AND (m.created_at < sqlc.arg(created_at) OR m.id < sqlc.arg(id))
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip)
)
ORDER BY created_at DESC, id DESC;

-- name: CountUsersByPrefix :one
SELECT count(*) FROM users
WHERE email_key >= sqlc.arg(prefix) AND email_key < sqlc.arg(prefix_end);

