-- The SMS second factor's queries (one-time codes and the phone number on
-- the account), which sqlc compiles into sqlitedb/mfa.sql.go. Times and
-- the session cutoff are kept as query.sql describes.

-- name: PutMFACode :one
-- Inserts the code or replaces the user's code of its kind. The cooldown
-- is decided before it, in the same write transaction (see mfa.go).
INSERT INTO mfa_codes (
    user_id, kind, code_hash, pending_id, phone, attempts, max_attempts, created_at, expires_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, kind) DO UPDATE
SET code_hash = excluded.code_hash,
    pending_id = excluded.pending_id,
    phone = excluded.phone,
    attempts = excluded.attempts,
    max_attempts = excluded.max_attempts,
    created_at = excluded.created_at,
    expires_at = excluded.expires_at
RETURNING *;

-- name: MFACode :one
SELECT * FROM mfa_codes WHERE user_id = ? AND kind = ?;

-- name: ReserveMFAAttempt :one
-- Counts one check against a live code with attempts left. The conditions
-- and the count are one statement, so concurrent checks each see the
-- count the one before them left.
UPDATE mfa_codes SET attempts = attempts + 1
WHERE user_id = sqlc.arg(user_id)
  AND kind = sqlc.arg(kind)
  AND pending_id = sqlc.arg(pending_id)
  AND expires_at > sqlc.arg(now)
  AND attempts < max_attempts
RETURNING *;

-- name: DeleteMFACode :execrows
DELETE FROM mfa_codes WHERE user_id = ? AND kind = ? AND pending_id = ?;

-- name: DeleteMFACodesForUser :exec
DELETE FROM mfa_codes WHERE user_id = ?;

-- name: EnableMFA :one
UPDATE users
SET phone_number = sqlc.arg(phone_number), is_mfa_enabled = 1, updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: DisableMFA :one
UPDATE users
SET phone_number = NULL,
    is_mfa_enabled = 0,
    updated_at = sqlc.arg(now),
    tokens_invalidated_after = CASE WHEN CAST(sqlc.arg(revoke_sessions) AS BOOLEAN)
                                    THEN max(sqlc.arg(now), coalesce(last_login, sqlc.arg(now)), coalesce(tokens_invalidated_after, sqlc.arg(now)))
                                    ELSE tokens_invalidated_after END
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: PurgeMFACodes :execrows
DELETE FROM mfa_codes WHERE expires_at < sqlc.arg(now);
