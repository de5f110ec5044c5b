-- The SMS second factor's queries (one-time codes and the phone number on
-- the account), which sqlc compiles into pgdb/mfa.sql.go. Times and the
-- session cutoff are kept as query.sql describes.

-- name: PutMFACode :one
-- One statement inserts the code or replaces the user's code of its kind,
-- but replaces only a code created at or before not_before; a NULL
-- not_before replaces whatever is there. When the existing code is too
-- recent no row comes back (the cooldown), and the row stays locked until
-- the transaction ends, so the caller reads the code that was kept.
INSERT INTO mfa_codes (
    user_id, kind, code_hash, pending_id, phone, attempts, max_attempts, created_at, expires_at
) VALUES (
    sqlc.arg(user_id), sqlc.arg(kind), sqlc.arg(code_hash), sqlc.arg(pending_id), sqlc.arg(phone),
    sqlc.arg(attempts), sqlc.arg(max_attempts), sqlc.arg(created_at), sqlc.arg(expires_at)
)
ON CONFLICT (user_id, kind) DO UPDATE
SET code_hash = excluded.code_hash,
    pending_id = excluded.pending_id,
    phone = excluded.phone,
    attempts = excluded.attempts,
    max_attempts = excluded.max_attempts,
    created_at = excluded.created_at,
    expires_at = excluded.expires_at
WHERE sqlc.narg(not_before)::timestamptz IS NULL OR mfa_codes.created_at <= sqlc.narg(not_before)::timestamptz
RETURNING *;

-- name: MFACode :one
SELECT * FROM mfa_codes WHERE user_id = $1 AND kind = $2;

-- name: ReserveMFAAttempt :one
-- Counts one check against a live code with attempts left. A concurrent
-- check waits for the row lock and then re-evaluates the conditions on the
-- row as the first one left it, so N checks against k attempts left
-- reserve at most k.
UPDATE mfa_codes SET attempts = attempts + 1
WHERE user_id = sqlc.arg(user_id)
  AND kind = sqlc.arg(kind)
  AND pending_id = sqlc.arg(pending_id)
  AND expires_at > sqlc.arg(now)
  AND attempts < max_attempts
RETURNING *;

-- name: DeleteMFACode :execrows
DELETE FROM mfa_codes WHERE user_id = $1 AND kind = $2 AND pending_id = $3;

-- name: DeleteMFACodesForUser :exec
DELETE FROM mfa_codes WHERE user_id = $1;

-- name: EnableMFA :one
UPDATE users
SET phone_number = sqlc.arg(phone_number), is_mfa_enabled = TRUE, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: DisableMFA :one
UPDATE users
SET phone_number = NULL,
    is_mfa_enabled = FALSE,
    tokens_invalidated_after = CASE WHEN sqlc.arg(revoke_sessions)::boolean
        THEN GREATEST(sqlc.arg(now)::timestamptz, last_login, tokens_invalidated_after) ELSE tokens_invalidated_after END,
    updated_at = sqlc.arg(now)::timestamptz
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: PurgeMFACodes :execrows
DELETE FROM mfa_codes WHERE expires_at < sqlc.arg(now);
