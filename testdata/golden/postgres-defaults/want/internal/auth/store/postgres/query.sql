-- Queries sqlc compiles into pgdb/. Every time is TIMESTAMPTZ, written
-- truncated to microseconds (see migrations/00001_init.sql); the store
-- converts at the boundary. Addresses are compared by email_key, which the
-- store computes with store.EmailKey (see migrations/00002_email_key.sql).
--
-- Every statement that revokes sessions sets the cutoff to
-- GREATEST(now, last_login, tokens_invalidated_after) (GREATEST skips
-- NULLs): a sign-in RecordLogin accepted with a clock ahead of this one is
-- revoked too, and a replica with a clock behind never moves the cutoff
-- back (which would revive sessions an earlier revocation ended).

-- name: CreateUser :exec
INSERT INTO users (
    id, email, email_key, hashed_password, is_active, is_verified, is_superuser,
    full_name, phone_number, is_mfa_enabled,
    created_at, updated_at, last_login, tokens_invalidated_after
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);

-- name: UserByID :one
SELECT * FROM users WHERE id = $1;

-- name: UserByEmail :one
SELECT * FROM users WHERE email_key = $1;

-- name: SetFullName :one
UPDATE users SET full_name = sqlc.narg(full_name), updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetPassword :one
UPDATE users
SET hashed_password = sqlc.arg(hashed_password),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = GREATEST(sqlc.arg(now), last_login, tokens_invalidated_after)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetEmail :one
UPDATE users
SET email = sqlc.arg(email),
    email_key = sqlc.arg(email_key),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = GREATEST(sqlc.arg(now), last_login, tokens_invalidated_after)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: MarkVerified :one
UPDATE users SET is_verified = TRUE, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RecordLogin :execrows
-- One statement: the checks and the write see the same row version. A
-- password change, disable or revocation racing it either comes first
-- (this UPDATE waits for the row lock, re-checks the new version and
-- changes nothing) or waits for this one and then moves the cutoff to at
-- least the new last_login. last_login only moves forward: a sign-in
-- through a replica whose clock is behind must not lower it below a session
-- a revocation has to cover.
UPDATE users
SET updated_at = sqlc.arg(at),
    last_login = GREATEST(last_login, sqlc.arg(at)),
    hashed_password = coalesce(sqlc.narg(rehash), hashed_password)
WHERE id = sqlc.arg(id)
  AND is_active
  -- '' stands for no password (an account made by a provider sign-in).
  AND coalesce(hashed_password, '') = sqlc.arg(hashed_password)::text
  AND (tokens_invalidated_after IS NULL OR tokens_invalidated_after < sqlc.arg(at));

-- name: UserExists :one
SELECT EXISTS (SELECT 1 FROM users WHERE id = $1);

-- name: PasswordParams :many
-- The parameter part of a PHC string is what precedes its last two
-- fields, the salt and the hash: "$argon2id$v=19$m=65536,t=3,p=4".
SELECT regexp_replace(hashed_password, '\$[^$]*\$[^$]*$', '')::text AS params,
       count(*) AS users
FROM users
WHERE hashed_password IS NOT NULL AND hashed_password <> ''
GROUP BY params;

-- name: DeleteUser :one
DELETE FROM users WHERE id = $1 RETURNING email_key;

-- name: LockPendingAddress :exec
-- Serialises AddPending and ConsumePending per address until the
-- transaction ends, like LockLoginAttempts. A row lock would not do: an
-- address without rows has nothing to lock, and two first sign-ups must
-- still see each other.
SELECT pg_advisory_xact_lock(hashtext('regstack.pending_registrations'), hashtext(sqlc.arg(email_key)));

-- name: LivePendingExists :one
SELECT EXISTS (
    SELECT 1 FROM pending_registrations
    WHERE email_key = sqlc.arg(email_key) AND expires_at > sqlc.arg(at)
);

-- name: InsertPending :exec
INSERT INTO pending_registrations (
    id, email, email_key, hashed_password, full_name, token_hash,
    created_at, expires_at, contested
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: ContestPending :exec
UPDATE pending_registrations SET contested = TRUE
WHERE email_key = $1 AND NOT contested;

-- name: TrimPending :exec
-- Keeps the newest max_rows registrations of the address.
DELETE FROM pending_registrations p
WHERE p.email_key = sqlc.arg(email_key)
  AND p.id NOT IN (
    SELECT newest.id FROM pending_registrations newest
    WHERE newest.email_key = sqlc.arg(email_key)
    ORDER BY newest.created_at DESC, newest.id DESC
    LIMIT sqlc.arg(max_rows)
  );

-- name: PendingByEmail :many
SELECT * FROM pending_registrations WHERE email_key = $1
ORDER BY created_at DESC, id DESC;

-- name: RenewPending :execrows
UPDATE pending_registrations
SET token_hash = sqlc.arg(token_hash),
    created_at = sqlc.arg(created_at),
    expires_at = sqlc.arg(expires_at)
WHERE id = sqlc.arg(id);

-- name: PendingKeyByToken :one
SELECT email_key FROM pending_registrations WHERE token_hash = $1;

-- name: DeletePendingByKey :many
DELETE FROM pending_registrations WHERE email_key = $1 RETURNING *;

-- name: LockAccountTokens :exec
-- Serialises CreateAccountToken per user, so of two racing calls for one
-- purpose the second deletes the first's token.
SELECT pg_advisory_xact_lock(hashtext('regstack.account_tokens'), hashtext(sqlc.arg(user_id)));

-- name: DeleteAccountTokensForPurpose :exec
DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2;

-- name: InsertAccountToken :exec
INSERT INTO account_tokens (
    token_hash, user_id, purpose, new_email, email, created_at, expires_at
) VALUES ($1, $2, $3, $4, $5, $6, $7);

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

-- name: SessionUser :one
-- Every authenticated request's one statement: the user and whether the
-- session token was logged out. No row when the user does not exist.
SELECT sqlc.embed(users),
       EXISTS (SELECT 1 FROM token_blacklist WHERE token_blacklist.jti = sqlc.arg(jti)) AS revoked
FROM users
WHERE users.id = sqlc.arg(user_id);

-- Attempts are kept under the key the caller built (an EmailKey or a
-- prefixed counter key), in the column still named email.

-- name: LockLoginAttempts :exec
-- Serialises ReserveLoginAttempt per key until the transaction ends
-- (see Store.ReserveLoginAttempt). The two-key form keeps these locks
-- apart from single-key advisory locks (goose's, or the application's).
SELECT pg_advisory_xact_lock(hashtext('regstack.login_attempts'), hashtext(sqlc.arg(key)));

-- name: InsertLoginAttempt :one
INSERT INTO login_attempts (email, "when") VALUES (sqlc.arg(key), sqlc.arg(at))
RETURNING id;

-- name: LoginFailuresSince :many
SELECT "when" FROM login_attempts
WHERE email = sqlc.arg(key) AND "when" > sqlc.arg(window_start)
ORDER BY "when", id;

-- name: WithdrawLoginAttempt :exec
DELETE FROM login_attempts WHERE id = $1;

-- name: ClearLoginFailures :exec
DELETE FROM login_attempts WHERE email = sqlc.arg(key);

-- name: UpdateUser :one
-- A NULL argument leaves its column as it is. Disabling (is_active false)
-- moves the session cutoff in the same statement.
UPDATE users
SET is_active = coalesce(sqlc.narg(is_active)::boolean, is_active),
    is_superuser = coalesce(sqlc.narg(is_superuser)::boolean, is_superuser),
    full_name = coalesce(sqlc.narg(full_name)::text, full_name),
    tokens_invalidated_after = CASE WHEN sqlc.narg(is_active)::boolean IS FALSE
        THEN GREATEST(sqlc.arg(now)::timestamptz, last_login, tokens_invalidated_after) ELSE tokens_invalidated_after END,
    updated_at = sqlc.arg(now)::timestamptz
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RevokeSessions :one
UPDATE users SET tokens_invalidated_after = GREATEST(sqlc.arg(now), last_login, tokens_invalidated_after)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: PurgePending :execrows
DELETE FROM pending_registrations WHERE expires_at < sqlc.arg(now);

-- name: PurgeAccountTokens :execrows
DELETE FROM account_tokens WHERE expires_at < sqlc.arg(now);

-- name: PurgeRevokedTokens :execrows
DELETE FROM token_blacklist WHERE exp < sqlc.arg(now);

-- name: PurgeLoginAttempts :execrows
DELETE FROM login_attempts WHERE "when" <= sqlc.arg(window_start);
