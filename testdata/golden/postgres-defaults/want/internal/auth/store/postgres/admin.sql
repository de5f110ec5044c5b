-- The admin API's queries (the dashboard numbers and the user list), which
-- sqlc compiles into pgdb/admin.sql.go. Times and addresses are kept as
-- query.sql describes.

-- name: Stats :one
-- One statement, so the numbers come from one snapshot.
SELECT
    count(*) AS total_users,
    count(*) FILTER (WHERE is_active) AS active_users,
    count(*) FILTER (WHERE is_verified) AS verified_users,
    count(*) FILTER (WHERE is_superuser) AS superusers,
    (SELECT count(*) FROM pending_registrations WHERE expires_at > sqlc.arg(now)) AS pending_registrations
FROM users;

-- name: CountUsers :one
SELECT count(*) FROM users
WHERE starts_with(email_key, sqlc.arg(key_prefix));

-- name: ListUsers :many
-- starts_with compares plainly, so % and _ (LIKE wildcards) in the prefix
-- need no escaping.
SELECT * FROM users
WHERE starts_with(email_key, sqlc.arg(key_prefix))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip);
