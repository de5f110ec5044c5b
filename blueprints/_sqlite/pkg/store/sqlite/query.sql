-- Queries sqlc compiles into sqlitedb/. Every time parameter and column is
-- TEXT in the form 2006-01-02T15:04:05.000000Z (see migrations/00001_init.sql);
-- the store converts at the boundary.

-- name: CreateUser :exec
INSERT INTO users (
    id, email, hashed_password, is_active, is_verified, is_superuser,
    full_name, phone_number, is_mfa_enabled,
    created_at, updated_at, last_login, tokens_invalidated_after
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: UserByID :one
SELECT * FROM users WHERE id = ?;

-- name: UserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(sqlc.arg(email));

-- name: SetFullName :one
UPDATE users SET full_name = sqlc.narg(full_name), updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetPassword :one
UPDATE users
SET hashed_password = sqlc.arg(hashed_password),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetEmail :one
UPDATE users
SET email = sqlc.arg(email),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: MarkVerified :one
UPDATE users SET is_verified = 1, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RecordLogin :execrows
UPDATE users SET updated_at = sqlc.arg(at), last_login = sqlc.arg(at)
WHERE id = sqlc.arg(id);

-- name: DeleteUser :one
DELETE FROM users WHERE id = ? RETURNING email;

-- name: InsertPending :exec
INSERT INTO pending_registrations (
    id, email, hashed_password, full_name, token_hash, created_at, expires_at
) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: DeletePendingByEmail :exec
DELETE FROM pending_registrations WHERE lower(email) = lower(sqlc.arg(email));

-- name: PendingByEmail :one
SELECT * FROM pending_registrations WHERE lower(email) = lower(sqlc.arg(email));

-- name: ConsumePending :one
DELETE FROM pending_registrations WHERE token_hash = ? RETURNING *;

-- name: InsertAccountToken :exec
INSERT INTO account_tokens (
    token_hash, user_id, purpose, new_email, created_at, expires_at
) VALUES (?, ?, ?, ?, ?, ?);

-- name: ConsumeAccountToken :one
DELETE FROM account_tokens
WHERE token_hash = sqlc.arg(token_hash)
  AND purpose = sqlc.arg(purpose)
  AND expires_at > sqlc.arg(now)
RETURNING *;

-- name: DeleteAccountTokensForUser :exec
DELETE FROM account_tokens WHERE user_id = ?;

-- name: RevokeToken :exec
INSERT INTO token_blacklist (jti, exp) VALUES (?, ?)
ON CONFLICT (jti) DO NOTHING;

-- name: IsTokenRevoked :one
SELECT EXISTS (SELECT 1 FROM token_blacklist WHERE jti = ?) AS revoked;

-- name: InsertLoginAttempt :one
INSERT INTO login_attempts (email, "when") VALUES (lower(sqlc.arg(email)), sqlc.arg(at))
RETURNING id;

-- name: LoginFailuresSince :many
SELECT "when" FROM login_attempts
WHERE email = lower(sqlc.arg(email)) AND "when" > sqlc.arg(window_start)
ORDER BY "when", id;

-- name: WithdrawLoginAttempt :exec
DELETE FROM login_attempts WHERE id = ?;

-- name: ClearLoginFailures :exec
DELETE FROM login_attempts WHERE email = lower(sqlc.arg(email));

-- name: PurgePending :exec
DELETE FROM pending_registrations WHERE expires_at < sqlc.arg(now);

-- name: PurgeAccountTokens :exec
DELETE FROM account_tokens WHERE expires_at < sqlc.arg(now);

-- name: PurgeRevokedTokens :exec
DELETE FROM token_blacklist WHERE exp < sqlc.arg(now);

-- name: PurgeLoginAttempts :exec
DELETE FROM login_attempts WHERE "when" <= sqlc.arg(window_start);

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
-- The email prefix is compared with substr rather than LIKE, so % and _ in
-- it are plain characters that need no escaping. lower() folds ASCII only,
-- exactly as the unique index on lower(email) does.
SELECT * FROM users
WHERE lower(substr(email, 1, length(CAST(sqlc.arg(prefix) AS TEXT)))) = lower(CAST(sqlc.arg(prefix) AS TEXT))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(limit) OFFSET sqlc.arg(skip);

-- name: CountListedUsers :one
SELECT count(*) FROM users
WHERE lower(substr(email, 1, length(CAST(sqlc.arg(prefix) AS TEXT)))) = lower(CAST(sqlc.arg(prefix) AS TEXT));

-- name: UpdateUser :one
UPDATE users
SET is_active = coalesce(sqlc.narg(is_active), is_active),
    is_superuser = coalesce(sqlc.narg(is_superuser), is_superuser),
    full_name = coalesce(sqlc.narg(full_name), full_name),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = CASE WHEN CAST(sqlc.arg(revoke_sessions) AS BOOLEAN) THEN sqlc.arg(now)
                                    ELSE tokens_invalidated_after END
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RevokeSessions :one
UPDATE users SET tokens_invalidated_after = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;
