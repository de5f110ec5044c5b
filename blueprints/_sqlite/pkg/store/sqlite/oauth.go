// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/sqlite/sqlitedb"
)

// Sign in with Google: store.OAuth on the oauth_identities and
// oauth_states tables (migrations/00004_oauth.sql, queries in oauth.sql).
// Each method is one statement or one write transaction; BEGIN IMMEDIATE
// (see source.dsn) takes the write lock before a transaction reads
// anything, so a check made inside one still holds at its commit.

// CreateOAuthState stores a new sign-in.
func (s *Store) CreateOAuthState(ctx context.Context, st *store.OAuthState) error {
	err := s.q.CreateOAuthState(ctx, sqlitedb.CreateOAuthStateParams{
		ID:            st.ID,
		Provider:      st.Provider,
		CodeVerifier:  st.CodeVerifier,
		Nonce:         st.Nonce,
		BrowserHash:   st.BrowserHash,
		RedirectTo:    st.RedirectTo,
		Mode:          st.Mode,
		LinkingUserID: optionalString(st.LinkingUserID),
		CreatedAt:     formatTime(st.CreatedAt),
		ExpiresAt:     formatTime(st.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("sqlite: create oauth state: %w", err)
	}
	return nil
}

// ClaimOAuthState marks the state used and returns it, in one conditional
// UPDATE (see oauth.sql): of concurrent claims exactly one matches, and a
// claim from another browser matches nothing and leaves the state
// claimable.
func (s *Store) ClaimOAuthState(ctx context.Context, id, browserHash string, now time.Time) (*store.OAuthState, error) {
	row, err := s.q.ClaimOAuthState(ctx, sqlitedb.ClaimOAuthStateParams{
		// Never NULL, even for a zero now: NULL is what "unused" is.
		Now:         sql.NullString{String: formatTime(now), Valid: true},
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
	n, err := s.q.CompleteOAuthState(ctx, sqlitedb.CompleteOAuthStateParams{
		CompletionHash: optionalString(completionHash),
		ResultUserID:   optionalString(userID),
		WasNew:         wasNew,
		ExpiresAt:      formatTime(expiresAt),
		ID:             id,
	})
	if err != nil {
		return fmt.Errorf("sqlite: complete oauth state: %w", err)
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
	if completionHash == "" {
		// "" is how CompletionHash reads before completion; it is stored
		// as NULL and would match nothing anyway.
		return nil, store.ErrNotFound
	}
	row, err := s.q.ConsumeOAuthCompletion(ctx, optionalString(completionHash))
	if err != nil {
		return nil, notFound("consume oauth completion", err)
	}
	return oauthStateFromRow(row)
}

// IdentityBySubject returns the identity of the provider's subject.
func (s *Store) IdentityBySubject(ctx context.Context, provider, subject string) (*store.OAuthIdentity, error) {
	row, err := s.q.IdentityBySubject(ctx, sqlitedb.IdentityBySubjectParams{Provider: provider, SubjectID: subject})
	if err != nil {
		return nil, notFound("identity by subject", err)
	}
	return identityFromRow(row)
}

// IdentitiesOf returns the user's identities, oldest link first (ties by
// id, so the order is stable).
func (s *Store) IdentitiesOf(ctx context.Context, userID string) ([]store.OAuthIdentity, error) {
	rows, err := s.q.IdentitiesOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: identities of: %w", err)
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
// id.ID when it is empty. The user is looked up in the same write
// transaction, so a DeleteUser either ran before (ErrNotFound) or runs
// after and deletes the identity with the user.
func (s *Store) LinkIdentity(ctx context.Context, id *store.OAuthIdentity) error {
	if id.ID == "" {
		id.ID = newID()
	}
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		found, err := q.UserExists(ctx, id.UserID)
		if err != nil {
			return fmt.Errorf("sqlite: link identity: %w", err)
		}
		if !found {
			return store.ErrNotFound
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
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
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
func insertIdentity(ctx context.Context, q *sqlitedb.Queries, op string, id *store.OAuthIdentity) error {
	err := q.InsertIdentity(ctx, sqlitedb.InsertIdentityParams{
		ID:         id.ID,
		UserID:     id.UserID,
		Provider:   id.Provider,
		SubjectID:  id.Subject,
		Email:      optionalString(id.Email),
		LinkedAt:   formatTime(id.LinkedAt),
		LastUsedAt: formatOptionalTime(id.LastUsedAt),
	})
	if isUniqueViolation(err) {
		return store.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return nil
}

// TouchIdentity sets the identity's LastUsedAt.
func (s *Store) TouchIdentity(ctx context.Context, identityID string, at time.Time) error {
	n, err := s.q.TouchIdentity(ctx, sqlitedb.TouchIdentityParams{At: formatOptionalTime(at), ID: identityID})
	if err != nil {
		return fmt.Errorf("sqlite: touch identity: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// errKeepIdentity rolls back an unlink that would leave the user without
// a way to sign in.
var errKeepIdentity = errors.New("sqlite: unlink identity: the last way to sign in")

// UnlinkIdentity deletes the user's identity of the provider and then
// counts what is left, in one write transaction, rolled back when nothing
// is: no password and no other identity. The transaction holds the write
// lock from BEGIN, so of two concurrent unlinks of a password-less user's
// two identities the second sees the first's delete and is refused
// (storetest's UnlinkIdentityConcurrent).
func (s *Store) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		n, err := q.DeleteIdentity(ctx, sqlitedb.DeleteIdentityParams{UserID: userID, Provider: provider})
		if err != nil {
			return fmt.Errorf("sqlite: unlink identity: %w", err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		left, err := q.CountIdentities(ctx, userID)
		if err != nil {
			return fmt.Errorf("sqlite: unlink identity: count the others: %w", err)
		}
		if left > 0 {
			return nil
		}
		hash, err := q.UserPasswordHash(ctx, userID)
		if err != nil {
			return notFound("unlink identity: read the password", err)
		}
		if hash.String == "" {
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
func deleteOAuthRows(ctx context.Context, q *sqlitedb.Queries, userID string) error {
	if err := q.DeleteIdentitiesForUser(ctx, userID); err != nil {
		return fmt.Errorf("sqlite: delete user: oauth identities: %w", err)
	}
	if err := q.DeleteOAuthStatesForUser(ctx, optionalString(userID)); err != nil {
		return fmt.Errorf("sqlite: delete user: oauth states: %w", err)
	}
	return nil
}

func oauthStateFromRow(row sqlitedb.OauthState) (*store.OAuthState, error) {
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

func identityFromRow(row sqlitedb.OauthIdentity) (*store.OAuthIdentity, error) {
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
