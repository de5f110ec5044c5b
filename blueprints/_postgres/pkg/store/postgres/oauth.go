// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/postgres/pgdb"
)

// Sign in with Google: store.OAuth on the oauth_identities and
// oauth_states tables (migrations/00005_oauth.sql, queries in oauth.sql).
// The single-use steps are one statement each, whose row lock orders
// concurrent callers; the methods that decide on a user's ways of
// signing in lock the user's row first (LockUser).

// CreateOAuthState stores a new sign-in.
func (s *Store) CreateOAuthState(ctx context.Context, st *store.OAuthState) error {
	err := s.q.CreateOAuthState(ctx, pgdb.CreateOAuthStateParams{
		ID:            st.ID,
		Provider:      st.Provider,
		CodeVerifier:  st.CodeVerifier,
		Nonce:         st.Nonce,
		BrowserHash:   st.BrowserHash,
		RedirectTo:    st.RedirectTo,
		Mode:          st.Mode,
		LinkingUserID: optionalText(st.LinkingUserID),
		CreatedAt:     timestamptz(st.CreatedAt),
		ExpiresAt:     timestamptz(st.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("postgres: create oauth state: %w", err)
	}
	return nil
}

// ClaimOAuthState marks the state used and returns it, in one conditional
// UPDATE (see oauth.sql): of concurrent claims exactly one matches, and a
// claim from another browser matches nothing and leaves the state
// claimable.
func (s *Store) ClaimOAuthState(ctx context.Context, id, browserHash string, now time.Time) (*store.OAuthState, error) {
	if !storable(id) || !storable(browserHash) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.ClaimOAuthState(ctx, pgdb.ClaimOAuthStateParams{
		// Never NULL, even for a zero now: NULL is what "unused" is.
		Now:         timestamptz(now),
		ID:          id,
		BrowserHash: browserHash,
	})
	if err != nil {
		return nil, notFound("claim oauth state", err)
	}
	return oauthStateFromRow(row)
}

// CompleteOAuthState records the outcome of a claimed state.
func (s *Store) CompleteOAuthState(ctx context.Context, id, completionHash, userID string, wasNew bool, expiresAt time.Time) error {
	if !storable(id) {
		return store.ErrNotFound
	}
	n, err := s.q.CompleteOAuthState(ctx, pgdb.CompleteOAuthStateParams{
		CompletionHash: optionalText(completionHash),
		ResultUserID:   optionalText(userID),
		WasNew:         wasNew,
		ExpiresAt:      timestamptz(expiresAt),
		ID:             id,
	})
	if err != nil {
		return fmt.Errorf("postgres: complete oauth state: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ConsumeOAuthCompletion deletes and returns the completed state whose
// completion id hashes to completionHash; one DELETE, so of concurrent
// callers exactly one gets it.
func (s *Store) ConsumeOAuthCompletion(ctx context.Context, completionHash string) (*store.OAuthState, error) {
	if completionHash == "" || !storable(completionHash) {
		// "" is how CompletionHash reads before completion; it is stored
		// as NULL and would match nothing anyway.
		return nil, store.ErrNotFound
	}
	row, err := s.q.ConsumeOAuthCompletion(ctx, optionalText(completionHash))
	if err != nil {
		return nil, notFound("consume oauth completion", err)
	}
	return oauthStateFromRow(row)
}

// IdentityBySubject returns the identity of the provider's subject.
func (s *Store) IdentityBySubject(ctx context.Context, provider, subject string) (*store.OAuthIdentity, error) {
	if !storable(provider) || !storable(subject) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.IdentityBySubject(ctx, pgdb.IdentityBySubjectParams{Provider: provider, SubjectID: subject})
	if err != nil {
		return nil, notFound("identity by subject", err)
	}
	return identityFromRow(row)
}

// IdentitiesOf returns the user's identities, oldest link first (ties by
// id, so the order is stable).
func (s *Store) IdentitiesOf(ctx context.Context, userID string) ([]store.OAuthIdentity, error) {
	if !storable(userID) {
		return []store.OAuthIdentity{}, nil
	}
	rows, err := s.q.IdentitiesOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: identities of: %w", err)
	}
	out := make([]store.OAuthIdentity, 0, len(rows))
	for _, row := range rows {
		id, err := identityFromRow(row)
		if err != nil {
			return nil, err
		}
		out = append(out, *id)
	}
	return out, nil
}

// LinkIdentity stores a new identity of an existing user, assigning
// id.ID when it is empty. It locks the user's row first, so a DeleteUser
// either ran before (ErrNotFound) or waits and then deletes the identity
// with the user.
func (s *Store) LinkIdentity(ctx context.Context, id *store.OAuthIdentity) error {
	if !storable(id.UserID) {
		return store.ErrNotFound
	}
	if id.ID == "" {
		id.ID = newID()
	}
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		if _, err := q.LockUser(ctx, id.UserID); err != nil {
			return notFound("link identity", err)
		}
		return insertIdentity(ctx, q, "link identity", id)
	})
}

// CreateUserWithIdentity creates u (assigning u.ID when it is empty) and
// its first identity (assigning id.ID when empty, and setting id.UserID
// to u.ID) in one transaction: both exist afterwards or neither.
func (s *Store) CreateUserWithIdentity(ctx context.Context, u *store.User, id *store.OAuthIdentity) error {
	if u.ID == "" {
		u.ID = newID()
	}
	if id.ID == "" {
		id.ID = newID()
	}
	id.UserID = u.ID
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		// CreateUser only uses the queries, so a Store on the
		// transaction's queries inserts the user inside it, with the same
		// columns and the same ErrEmailTaken.
		if err := (&Store{q: q}).CreateUser(ctx, u); err != nil {
			return err
		}
		return insertIdentity(ctx, q, "create user with identity", id)
	})
}

// insertIdentity inserts id. Either unique index refusing it, the
// provider account's or the user's provider, is store.ErrIdentityTaken.
func insertIdentity(ctx context.Context, q *pgdb.Queries, op string, id *store.OAuthIdentity) error {
	err := q.InsertIdentity(ctx, pgdb.InsertIdentityParams{
		ID:         id.ID,
		UserID:     id.UserID,
		Provider:   id.Provider,
		SubjectID:  id.Subject,
		Email:      optionalText(id.Email),
		LinkedAt:   timestamptz(id.LinkedAt),
		LastUsedAt: optionalTimestamptz(id.LastUsedAt),
	})
	if isUniqueViolation(err) {
		return store.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return nil
}

// TouchIdentity sets the identity's LastUsedAt.
func (s *Store) TouchIdentity(ctx context.Context, identityID string, at time.Time) error {
	if !storable(identityID) {
		return store.ErrNotFound
	}
	n, err := s.q.TouchIdentity(ctx, pgdb.TouchIdentityParams{At: optionalTimestamptz(at), ID: identityID})
	if err != nil {
		return fmt.Errorf("postgres: touch identity: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// errKeepIdentity rolls back an unlink that would leave the user without
// a way to sign in.
var errKeepIdentity = errors.New("postgres: unlink identity: the last way to sign in")

// UnlinkIdentity deletes the user's identity of the provider and then
// counts what is left, in one transaction, rolled back when nothing is:
// no password and no other identity. READ COMMITTED alone would let two
// unlinks of a password-less user's two identities each delete its own
// and count the other's, not yet deleted; so the transaction first locks
// the user's row (LockUser). The second unlink waits there, and its count
// then sees the first one's delete (storetest's UnlinkIdentityConcurrent).
// The same lock orders it against SetPassword and DeleteUser, whose
// UPDATE and DELETE of the row wait for it too.
func (s *Store) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	if !storable(userID) || !storable(provider) {
		return store.ErrNotFound
	}
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		hash, err := q.LockUser(ctx, userID)
		if err != nil {
			return notFound("unlink identity: lock the user", err)
		}
		n, err := q.DeleteIdentity(ctx, pgdb.DeleteIdentityParams{UserID: userID, Provider: provider})
		if err != nil {
			return fmt.Errorf("postgres: unlink identity: %w", err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if hash.String != "" {
			return nil
		}
		left, err := q.CountIdentities(ctx, userID)
		if err != nil {
			return fmt.Errorf("postgres: unlink identity: count the others: %w", err)
		}
		if left == 0 {
			return errKeepIdentity
		}
		return nil
	})
	if errors.Is(err, errKeepIdentity) {
		return store.ErrLastSignInMethod
	}
	return err
}

// deleteOAuthRows deletes the user's identities and the sign-ins in
// flight that would act on the user (linking to them, or signing them
// in); DeleteUser calls it in its transaction.
func deleteOAuthRows(ctx context.Context, q *pgdb.Queries, userID string) error {
	if err := q.DeleteIdentitiesForUser(ctx, userID); err != nil {
		return fmt.Errorf("postgres: delete user: oauth identities: %w", err)
	}
	if err := q.DeleteOAuthStatesForUser(ctx, pgtype.Text{String: userID, Valid: true}); err != nil {
		return fmt.Errorf("postgres: delete user: oauth states: %w", err)
	}
	return nil
}

func oauthStateFromRow(row pgdb.OauthState) (*store.OAuthState, error) {
	var tr timeReader
	st := &store.OAuthState{
		ID:             row.ID,
		Provider:       row.Provider,
		CodeVerifier:   row.CodeVerifier,
		Nonce:          row.Nonce,
		BrowserHash:    row.BrowserHash,
		RedirectTo:     row.RedirectTo,
		Mode:           row.Mode,
		LinkingUserID:  row.LinkingUserID.String,
		CreatedAt:      tr.required(row.CreatedAt),
		ExpiresAt:      tr.required(row.ExpiresAt),
		UsedAt:         tr.optional(row.UsedAt),
		CompletionHash: row.CompletionHash.String,
		ResultUserID:   row.ResultUserID.String,
		WasNew:         row.WasNew,
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return st, nil
}

func identityFromRow(row pgdb.OauthIdentity) (*store.OAuthIdentity, error) {
	var tr timeReader
	id := &store.OAuthIdentity{
		ID:         row.ID,
		UserID:     row.UserID,
		Provider:   row.Provider,
		Subject:    row.SubjectID,
		Email:      row.Email.String,
		LinkedAt:   tr.required(row.LinkedAt),
		LastUsedAt: tr.optional(row.LastUsedAt),
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return id, nil
}
