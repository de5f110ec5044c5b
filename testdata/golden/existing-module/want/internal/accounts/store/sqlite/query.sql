-- Queries sqlc compiles into sqlitedb/. Every time parameter and column is
-- TEXT in the form 2006-01-02T15:04:05.000000Z (see migrations/00001_init.sql);
-- the store converts at the boundary. Addresses are compared by their
-- email_key column, which the store fills with store.EmailKey (see
-- migrations/00002_email_key.sql).
--
-- Revoking sessions sets tokens_invalidated_after to the latest of now,
-- last_login and the cutoff already there: SQLite's multi-argument max() is
-- the scalar one, it compares the fixed-width times as text, which is time
-- order, and coalesce keeps a NULL from making it NULL. So a sign-in
-- RecordLogin accepted with a clock ahead of this request's is revoked too,
-- and a replica with a clock behind never moves the cutoff back (which
-- would revive sessions an earlier revocation ended).

-- name: CreateUser :exec
INSERT INTO users (
    id, email, email_key, hashed_password, is_active, is_verified, is_superuser,
    full_name, phone_number, is_mfa_enabled,
    created_at, updated_at, last_login, tokens_invalidated_after
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: UserByID :one
SELECT * FROM users WHERE id = ?;

-- name: UserByEmail :one
SELECT * FROM users WHERE email_key = sqlc.arg(email_key);

-- name: SetFullName :one
UPDATE users SET full_name = sqlc.narg(full_name), updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetPassword :one
UPDATE users
SET hashed_password = sqlc.narg(hashed_password),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = max(sqlc.arg(now), coalesce(last_login, sqlc.arg(now)), coalesce(tokens_invalidated_after, sqlc.arg(now)))
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetEmail :one
UPDATE users
SET email = sqlc.arg(email),
    email_key = sqlc.arg(email_key),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = max(sqlc.arg(now), coalesce(last_login, sqlc.arg(now)), coalesce(tokens_invalidated_after, sqlc.arg(now)))
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: MarkVerified :one
UPDATE users SET is_verified = 1, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RecordLogin :execrows
-- The conditions and the write are one statement, so a password change,
-- disable or revocation either committed before it (and it changes
-- nothing) or commits after it (and revokes the session it produced).
-- last_login only moves forward: a sign-in through a replica whose clock is
-- behind must not lower it below a session a revocation has to cover.
UPDATE users
SET updated_at = sqlc.arg(at),
    last_login = max(coalesce(last_login, sqlc.arg(at)), sqlc.arg(at)),
    hashed_password = coalesce(sqlc.narg(rehash), hashed_password)
WHERE id = sqlc.arg(id)
  AND is_active
  -- '' stands for no password (an account made by a provider sign-in).
  AND coalesce(hashed_password, '') = CAST(sqlc.arg(password_hash) AS TEXT)
  AND (tokens_invalidated_after IS NULL OR tokens_invalidated_after < sqlc.arg(at));

-- name: UserExists :one
SELECT EXISTS (SELECT 1 FROM users WHERE id = ?) AS found;

-- name: PasswordParams :many
-- A PHC string is $id$v=19$params$salt$hash, with salt and hash in
-- unpadded base64. The parameter part is what is left after stripping the
-- two trailing fields and their '$': an rtrim over the base64 alphabet
-- stops at a field's '$', which the next rtrim removes. Grouping here
-- keeps the answer a few rows however many users there are.
SELECT CAST(rtrim(rtrim(rtrim(rtrim(hashed_password,
           'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), '$'),
           'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), '$') AS TEXT) AS params,
       count(*) AS users
FROM users
WHERE hashed_password IS NOT NULL AND hashed_password <> ''
GROUP BY params;

-- name: DeleteUser :one
DELETE FROM users WHERE id = ? RETURNING email_key;

-- name: MarkPendingContested :execrows
-- Marks every registration of the address when one of them is still live
-- at created_at, the new registration's creation time.
UPDATE pending_registrations SET contested = 1
WHERE pending_registrations.email_key = sqlc.arg(email_key)
  AND EXISTS (
      SELECT 1 FROM pending_registrations AS live
      WHERE live.email_key = sqlc.arg(email_key) AND live.expires_at > sqlc.arg(created_at)
  );

-- name: InsertPending :exec
INSERT INTO pending_registrations (
    id, email, email_key, hashed_password, full_name, token_hash, created_at, expires_at, contested
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: TrimPending :exec
DELETE FROM pending_registrations
WHERE pending_registrations.email_key = sqlc.arg(email_key)
  AND pending_registrations.id NOT IN (
      SELECT newest.id FROM pending_registrations AS newest
      WHERE newest.email_key = sqlc.arg(email_key)
      ORDER BY newest.created_at DESC, newest.id DESC
      LIMIT sqlc.arg(keep)
  );

-- name: DeletePendingByEmailKey :exec
DELETE FROM pending_registrations WHERE email_key = ?;

-- name: PendingByEmailKey :many
SELECT * FROM pending_registrations WHERE email_key = ?
ORDER BY created_at DESC, id DESC;

-- name: RenewPending :execrows
UPDATE pending_registrations
SET token_hash = sqlc.arg(token_hash), created_at = sqlc.arg(created_at), expires_at = sqlc.arg(expires_at)
WHERE id = sqlc.arg(id);

-- name: ConsumePending :one
DELETE FROM pending_registrations WHERE token_hash = ? RETURNING *;

-- name: CountLivePendingByEmailKey :one
SELECT count(*) FROM pending_registrations
WHERE email_key = sqlc.arg(email_key) AND expires_at > sqlc.arg(now);

-- name: InsertAccountToken :exec
INSERT INTO account_tokens (
    token_hash, user_id, purpose, new_email, email, created_at, expires_at
) VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: DeleteAccountTokensForPurpose :exec
DELETE FROM account_tokens WHERE user_id = ? AND purpose = ?;

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

-- name: SessionUser :one
-- Every authenticated request's one statement: the user and whether the
-- session token was logged out. No row when the user does not exist.
SELECT sqlc.embed(users),
       EXISTS (SELECT 1 FROM token_blacklist WHERE token_blacklist.jti = sqlc.arg(jti)) AS revoked
FROM users
WHERE users.id = sqlc.arg(user_id);

-- name: InsertLoginAttempt :one
INSERT INTO login_attempts (attempt_key, "when") VALUES (sqlc.arg(attempt_key), sqlc.arg(at))
RETURNING id;

-- name: LoginFailuresSince :many
SELECT "when" FROM login_attempts
WHERE attempt_key = sqlc.arg(attempt_key) AND "when" > sqlc.arg(window_start)
ORDER BY "when", id;

-- name: WithdrawLoginAttempt :exec
DELETE FROM login_attempts WHERE id = ?;

-- name: ClearLoginFailures :exec
DELETE FROM login_attempts WHERE attempt_key = ?;

-- name: PurgePending :execrows
DELETE FROM pending_registrations WHERE expires_at < sqlc.arg(now);

-- name: PurgeAccountTokens :execrows
DELETE FROM account_tokens WHERE expires_at < sqlc.arg(now);

-- name: PurgeRevokedTokens :execrows
DELETE FROM token_blacklist WHERE exp < sqlc.arg(now);

-- name: PurgeLoginAttempts :execrows
DELETE FROM login_attempts WHERE "when" <= sqlc.arg(attempts_before);

-- name: UpdateUser :one
UPDATE users
SET is_active = coalesce(sqlc.narg(is_active), is_active),
    is_superuser = coalesce(sqlc.narg(is_superuser), is_superuser),
    full_name = coalesce(sqlc.narg(full_name), full_name),
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = CASE WHEN CAST(sqlc.arg(revoke_sessions) AS BOOLEAN)
                                    THEN max(sqlc.arg(now), coalesce(last_login, sqlc.arg(now)), coalesce(tokens_invalidated_after, sqlc.arg(now)))
                                    ELSE tokens_invalidated_after END
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: RevokeSessions :one
UPDATE users
SET tokens_invalidated_after = max(CAST(sqlc.arg(now) AS TEXT), coalesce(last_login, sqlc.arg(now)), coalesce(tokens_invalidated_after, sqlc.arg(now)))
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: UsersWithKeyInRange :many
SELECT id FROM users
WHERE email_key >= sqlc.arg(from) AND email_key < sqlc.arg(below)
ORDER BY created_at, id;
