-- The admin API's queries (the dashboard numbers and the user list), which
-- sqlc compiles into pgdb/admin.sql.go. Times and addresses are kept as
-- query.sql describes. Every query here is served by an index
-- (00006_user_list_and_counts.sql, 00007_user_prefix_search.sql);
-- admin_plan_test.go reads their plans.

-- name: Stats :one
-- One statement, so the numbers come from one snapshot. user_counts is
-- kept by the triggers of 00006_user_list_and_counts.sql.
SELECT
    c.total AS total_users,
    c.active AS active_users,
    c.verified AS verified_users,
    c.superusers AS superusers,
    (SELECT count(*) FROM pending_registrations WHERE expires_at > sqlc.arg(now)) AS pending_registrations
FROM user_counts AS c
WHERE c.id = 1;

-- name: UserTotal :one
SELECT total FROM user_counts WHERE id = 1;

-- name: CountUsersByPrefix :one
-- The range [prefix, end) on ix_users_email_key_c_created_at_id, where end is
-- store.KeyPrefixEnd(prefix); code point order, so exactly the keys that
-- start with the prefix, and no LIKE wildcards to escape.
SELECT count(*) FROM users
WHERE email_key COLLATE "C" >= sqlc.arg(key_prefix)::text
  AND email_key COLLATE "C" < sqlc.arg(key_prefix_end)::text;

-- name: ListUsers :many
-- Newest first, read backwards along ix_users_created_at_id.
SELECT * FROM users
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip);

-- name: ListUsersAfter :many
-- The page after a cursor (the last row of the previous page): a range on
-- ix_users_created_at_id, however deep.
SELECT * FROM users
WHERE (created_at, id) < (sqlc.arg(created_at)::timestamptz, sqlc.arg(id)::text)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip);

-- name: ListUsersByPrefix :many
-- The matches of the prefix range are read from
-- ix_users_email_key_c_created_at_id alone (00007_user_prefix_search.sql:
-- it holds the time and id the order needs; an index-only scan once the
-- table is vacuumed), the page is picked from them by a top-N sort, and
-- only its rows are read from the table. The cost follows the number of
-- matches, at an index entry each.
--
-- OFFSET 0 keeps the range a subquery of its own. Without it the planner
-- may walk ix_users_created_at_id newest first and filter by prefix,
-- betting that the matches are spread evenly over time; when they are all
-- old (the accounts of an early import) that walk reads nearly the whole
-- table: 0.45 s instead of 0.04 s at 1,000,000 users (bench/scale).
SELECT * FROM users
WHERE id IN (
    SELECT r.id FROM (
        SELECT m.id, m.created_at FROM users m
        WHERE m.email_key COLLATE "C" >= sqlc.arg(key_prefix)::text
          AND m.email_key COLLATE "C" < sqlc.arg(key_prefix_end)::text
        OFFSET 0
    ) r
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip)
)
ORDER BY created_at DESC, id DESC;

-- name: ListUsersByPrefixAfter :many
SELECT * FROM users
WHERE id IN (
    SELECT r.id FROM (
        SELECT m.id, m.created_at FROM users m
        WHERE m.email_key COLLATE "C" >= sqlc.arg(key_prefix)::text
          AND m.email_key COLLATE "C" < sqlc.arg(key_prefix_end)::text
          AND (m.created_at, m.id) < (sqlc.arg(created_at)::timestamptz, sqlc.arg(id)::text)
        OFFSET 0
    ) r
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip)
)
ORDER BY created_at DESC, id DESC;
