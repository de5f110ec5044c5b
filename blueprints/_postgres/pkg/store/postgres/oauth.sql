-- Sign in with Google's queries (the identities linked to users and the
-- sign-ins in flight), which sqlc compiles into pgdb/oauth.sql.go. Times
-- are kept as query.sql describes.

-- name: CreateOAuthState :exec
INSERT INTO oauth_states (
    id, provider, code_verifier, nonce, browser_hash, redirect_to, mode, linking_user_id, created_at, expires_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: ClaimOAuthState :one
-- Marks an unused state used, if the browser that started it is the one
-- asking. A concurrent claim waits for the row lock and then re-evaluates
-- the conditions on the row as the first one left it, so exactly one of
-- them matches.
UPDATE oauth_states SET used_at = sqlc.arg(now)
WHERE id = sqlc.arg(id) AND used_at IS NULL AND browser_hash = sqlc.arg(browser_hash)
RETURNING *;

-- name: CompleteOAuthState :execrows
-- Only a claimed state completes: the callback claims it first.
UPDATE oauth_states
SET completion_hash = sqlc.arg(completion_hash),
    result_user_id = sqlc.arg(result_user_id),
    was_new = sqlc.arg(was_new),
    expires_at = sqlc.arg(expires_at)
WHERE id = sqlc.arg(id) AND used_at IS NOT NULL;

-- name: ConsumeOAuthCompletion :one
-- A state that has not completed has a NULL completion_hash, which
-- equals nothing, so it is never taken. Concurrent deletes of one row
-- wait for its lock, and the later ones find it gone.
DELETE FROM oauth_states WHERE completion_hash = $1 RETURNING *;

-- name: DeleteOAuthStatesForUser :exec
DELETE FROM oauth_states WHERE linking_user_id = sqlc.arg(user_id) OR result_user_id = sqlc.arg(user_id);

-- name: PurgeOAuthStates :execrows
DELETE FROM oauth_states WHERE expires_at < sqlc.arg(now);

-- name: InsertIdentity :exec
INSERT INTO oauth_identities (
    id, user_id, provider, subject_id, email, linked_at, last_used_at
) VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: IdentityBySubject :one
SELECT * FROM oauth_identities WHERE provider = $1 AND subject_id = $2;

-- name: IdentitiesOf :many
SELECT * FROM oauth_identities WHERE user_id = $1 ORDER BY linked_at, id;

-- name: TouchIdentity :execrows
UPDATE oauth_identities SET last_used_at = sqlc.arg(at) WHERE id = sqlc.arg(id);

-- name: DeleteIdentity :execrows
DELETE FROM oauth_identities WHERE user_id = $1 AND provider = $2;

-- name: DeleteIdentitiesForUser :exec
DELETE FROM oauth_identities WHERE user_id = $1;

-- name: CountIdentities :one
SELECT count(*) FROM oauth_identities WHERE user_id = $1;

-- name: LockUser :one
-- Locks the user's row until the transaction ends, so changes to the
-- user's ways of signing in (LinkIdentity, UnlinkIdentity) and deleting
-- the user run one at a time, and returns the password hash.
SELECT hashed_password FROM users WHERE id = $1 FOR UPDATE;
