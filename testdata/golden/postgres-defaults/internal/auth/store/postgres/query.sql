-- Queries sqlc compiles into pgdb/. Every time is TIMESTAMPTZ, written
-- truncated to microseconds (see migrations/00001_init.sql); the store
-- converts at the boundary.

-- name: CreateUser :exec
INSERT INTO users (
    id, email, hashed_password, is_active, is_verified, is_superuser,
    full_name, phone_number, is_mfa_enabled,
    created_at, updated_at, last_login, tokens_invalidated_after
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- name: UserByID :one
SELECT * FROM users WHERE id = $1;

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
UPDATE users SET is_verified = TRUE, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RecordLogin :execrows
UPDATE users SET updated_at = sqlc.arg(at), last_login = sqlc.arg(at)
WHERE id = sqlc.arg(id);

-- name: DeleteUser :one
DELETE FROM users WHERE id = $1 RETURNING email;

-- name: UpsertPending :exec
-- One statement, so two sign-ups racing for one address (in any case)
-- cannot both insert: the second updates the row the first wrote.
INSERT INTO pending_registrations (
    id, email, hashed_password, full_name, token_hash, created_at, expires_at
) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT ((lower(email))) DO UPDATE
SET id = excluded.id,
    email = excluded.email,
    hashed_password = excluded.hashed_password,
    full_name = excluded.full_name,
    token_hash = excluded.token_hash,
    created_at = excluded.created_at,
    expires_at = excluded.expires_at;

-- name: DeletePendingByEmail :exec
DELETE FROM pending_registrations WHERE lower(email) = lower(sqlc.arg(email));

-- name: PendingByEmail :one
SELECT * FROM pending_registrations WHERE lower(email) = lower(sqlc.arg(email));

-- name: ConsumePending :one
DELETE FROM pending_registrations WHERE token_hash = $1 RETURNING *;

-- name: InsertAccountToken :exec
INSERT INTO account_tokens (
    token_hash, user_id, purpose, new_email, created_at, expires_at
) VALUES ($1, $2, $3, $4, $5, $6);

-- name: ConsumeAccountToken :one
DELETE FROM account_tokens
WHERE token_hash = sqlc.arg(token_hash)
  AND purpose = sqlc.arg(purpose)
  AND expires_at > sqlc.arg(now)
RETURNING *;

-- name: DeleteAccountTokensForUser :exec
DELETE FROM account_tokens WHERE user_id = $1;

-- name: RevokeToken :exec
INSERT INTO token_blacklist (jti, exp) VALUES ($1, $2)
ON CONFLICT (jti) DO NOTHING;

-- name: IsTokenRevoked :one
SELECT EXISTS (SELECT 1 FROM token_blacklist WHERE jti = $1) AS revoked;

-- name: LockLoginAttempts :exec
-- Serialises ReserveLoginAttempt per address until the transaction ends
-- (see Store.ReserveLoginAttempt). The two-key form keeps these locks
-- apart from single-key advisory locks (goose's, or the application's).
SELECT pg_advisory_xact_lock(hashtext('regstack.login_attempts'), hashtext(lower(sqlc.arg(email))));

-- name: InsertLoginAttempt :one
INSERT INTO login_attempts (email, "when") VALUES (lower(sqlc.arg(email)), sqlc.arg(at))
RETURNING id;

-- name: LoginFailuresSince :many
SELECT "when" FROM login_attempts
WHERE email = lower(sqlc.arg(email)) AND "when" > sqlc.arg(window_start)
ORDER BY "when", id;

-- name: WithdrawLoginAttempt :exec
DELETE FROM login_attempts WHERE id = $1;

-- name: ClearLoginFailures :exec
DELETE FROM login_attempts WHERE email = lower(sqlc.arg(email));

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
WHERE starts_with(lower(email), lower(sqlc.arg(email_prefix)));

-- name: ListUsers :many
-- starts_with compares plainly, so % and _ (LIKE wildcards) in the prefix
-- need no escaping.
SELECT * FROM users
WHERE starts_with(lower(email), lower(sqlc.arg(email_prefix)))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip);

-- name: UpdateUser :one
-- A NULL argument leaves its column as it is. Disabling (is_active false)
-- moves the session cutoff to now in the same statement.
UPDATE users
SET is_active = coalesce(sqlc.narg(is_active)::boolean, is_active),
    is_superuser = coalesce(sqlc.narg(is_superuser)::boolean, is_superuser),
    full_name = coalesce(sqlc.narg(full_name)::text, full_name),
    tokens_invalidated_after = CASE WHEN sqlc.narg(is_active)::boolean IS FALSE
        THEN sqlc.arg(now)::timestamptz ELSE tokens_invalidated_after END,
    updated_at = sqlc.arg(now)::timestamptz
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RevokeSessions :one
UPDATE users SET tokens_invalidated_after = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: PurgePending :exec
DELETE FROM pending_registrations WHERE expires_at < sqlc.arg(now);

-- name: PurgeAccountTokens :exec
DELETE FROM account_tokens WHERE expires_at < sqlc.arg(now);

-- name: PurgeRevokedTokens :exec
DELETE FROM token_blacklist WHERE exp < sqlc.arg(now);

-- name: PurgeLoginAttempts :exec
DELETE FROM login_attempts WHERE "when" <= sqlc.arg(window_start);
