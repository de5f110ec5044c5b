-- The admin API's queries (the dashboard numbers and the user list), which
-- sqlc compiles into sqlitedb/admin.sql.go. Times and addresses are kept as
-- query.sql describes.

-- name: CountUsers :one
SELECT
    count(*) AS total,
    CAST(coalesce(sum(is_active), 0) AS INTEGER) AS active,
    CAST(coalesce(sum(is_verified), 0) AS INTEGER) AS verified,
    CAST(coalesce(sum(is_superuser), 0) AS INTEGER) AS superusers
FROM users;

-- name: CountLivePending :one
SELECT count(*) FROM pending_registrations WHERE expires_at > sqlc.arg(now);

-- name: ListUsers :many
-- The prefix is the EmailKey of what the operator typed, compared with
-- substr rather than LIKE, so % and _ in it are plain characters that need
-- no escaping. length and substr count characters, so a prefix ending in
-- the middle of a multi-byte letter cannot match half of it.
SELECT * FROM users
WHERE substr(email_key, 1, length(CAST(sqlc.arg(prefix) AS TEXT))) = CAST(sqlc.arg(prefix) AS TEXT)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip);

-- name: CountListedUsers :one
SELECT count(*) FROM users
WHERE substr(email_key, 1, length(CAST(sqlc.arg(prefix) AS TEXT))) = CAST(sqlc.arg(prefix) AS TEXT);
