// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/postgres/pgdb"
)

// Store is store.Store on one PostgreSQL database (the schema first in the
// connection's search_path). It is safe for concurrent use, also by several
// processes sharing the database; create it with Open.
type Store struct {
	pool *pgxpool.Pool
	q    *pgdb.Queries
}

var _ store.Store = (*Store)(nil)

// inTx runs fn in one READ COMMITTED transaction and commits only if fn
// succeeds. Methods that need more than READ COMMITTED gives them take a
// lock inside fn (see ReserveLoginAttempt). The level is asked for rather
// than left to the server's default_transaction_isolation: under
// REPEATABLE READ a statement after a lock wait would still see the
// snapshot from before the wait.
func (s *Store) inTx(ctx context.Context, fn func(q *pgdb.Queries) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// Rollback after a successful Commit is a no-op; after a failure it
	// releases the connection cleanly even if ctx was cancelled.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(s.q.WithTx(tx)); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes every connection of the pool, waiting for those in use to
// be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// CreateUser inserts u, assigning u.ID when it is empty.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	err := s.q.CreateUser(ctx, pgdb.CreateUserParams{
		ID:                     u.ID,
		Email:                  u.Email,
		HashedPassword:         optionalText(u.PasswordHash),
		IsActive:               u.IsActive,
		IsVerified:             u.IsVerified,
		IsSuperuser:            u.IsSuperuser,
		FullName:               textFrom(u.FullName),
		PhoneNumber:            optionalText(u.PhoneNumber),
		IsMfaEnabled:           u.IsMFAEnabled,
		CreatedAt:              timestamptz(u.CreatedAt),
		UpdatedAt:              timestamptz(u.UpdatedAt),
		LastLogin:              optionalTimestamptz(u.LastLogin),
		TokensInvalidatedAfter: optionalTimestamptz(u.TokensInvalidatedAfter),
	})
	if isUniqueViolation(err) {
		return store.ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

// UserByID returns store.ErrNotFound for an unknown id.
func (s *Store) UserByID(ctx context.Context, id string) (*store.User, error) {
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.UserByID(ctx, id)
	if err != nil {
		return nil, notFound("user by id", err)
	}
	return userFromRow(row)
}

// UserByEmail looks the email up case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	if !storable(email) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.UserByEmail(ctx, email)
	if err != nil {
		return nil, notFound("user by email", err)
	}
	return userFromRow(row)
}

// SetFullName sets or clears (nil) the full name.
func (s *Store) SetFullName(ctx context.Context, userID string, fullName *string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.SetFullName(ctx, pgdb.SetFullNameParams{
		FullName: textFrom(fullName),
		Now:      timestamptz(now),
		ID:       userID,
	})
	if err != nil {
		return nil, notFound("set full name", err)
	}
	return userFromRow(row)
}

// SetPassword stores the new hash, moves the session cutoff to now and
// deletes the user's outstanding account tokens, in one transaction: a
// reset link mailed before the change must not work after it.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	var row pgdb.User
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.SetPassword(ctx, pgdb.SetPasswordParams{
			HashedPassword: optionalText(passwordHash),
			Now:            timestamptz(now),
			ID:             userID,
		})
		if err != nil {
			return notFound("set password", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: set password: delete account tokens: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

// SetEmail moves the account to email and moves the session cutoff to now.
// The unique index on lower(email) decides races between two accounts
// claiming one address.
func (s *Store) SetEmail(ctx context.Context, userID, email string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.SetEmail(ctx, pgdb.SetEmailParams{
		Email: email,
		Now:   timestamptz(now),
		ID:    userID,
	})
	if isUniqueViolation(err) {
		return nil, store.ErrEmailTaken
	}
	if err != nil {
		return nil, notFound("set email", err)
	}
	return userFromRow(row)
}

// MarkVerified sets IsVerified.
func (s *Store) MarkVerified(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.MarkVerified(ctx, pgdb.MarkVerifiedParams{Now: timestamptz(now), ID: userID})
	if err != nil {
		return nil, notFound("mark verified", err)
	}
	return userFromRow(row)
}

// RecordLogin sets LastLogin (and UpdatedAt) to at.
func (s *Store) RecordLogin(ctx context.Context, userID string, at time.Time) error {
	if !storable(userID) {
		return store.ErrNotFound
	}
	n, err := s.q.RecordLogin(ctx, pgdb.RecordLoginParams{At: timestamptz(at), ID: userID})
	if err != nil {
		return fmt.Errorf("postgres: record login: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser removes the user with their account tokens, the pending
// registration and the login failures for their email, in one transaction.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if !storable(userID) {
		return store.ErrNotFound
	}
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		email, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return notFound("delete user", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: delete user: account tokens: %w", err)
		}
		if err := q.DeletePendingByEmail(ctx, email); err != nil {
			return fmt.Errorf("postgres: delete user: pending registration: %w", err)
		}
		if err := q.ClearLoginFailures(ctx, email); err != nil {
			return fmt.Errorf("postgres: delete user: login failures: %w", err)
		}
		return nil
	})
}

// UpsertPending replaces any pending registration for p.Email (compared
// case-insensitively), assigning p.ID when it is empty. It is one INSERT
// ... ON CONFLICT statement, so concurrent sign-ups for one address leave
// exactly one row instead of one of them failing on the unique index.
func (s *Store) UpsertPending(ctx context.Context, p *store.PendingRegistration) error {
	if p.ID == "" {
		p.ID = newID()
	}
	err := s.q.UpsertPending(ctx, pgdb.UpsertPendingParams{
		ID:             p.ID,
		Email:          p.Email,
		HashedPassword: p.PasswordHash,
		FullName:       textFrom(p.FullName),
		TokenHash:      p.TokenHash,
		CreatedAt:      timestamptz(p.CreatedAt),
		ExpiresAt:      timestamptz(p.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("postgres: upsert pending: %w", err)
	}
	return nil
}

// PendingByEmail returns the pending registration for email, expired or
// not.
func (s *Store) PendingByEmail(ctx context.Context, email string) (*store.PendingRegistration, error) {
	if !storable(email) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.PendingByEmail(ctx, email)
	if err != nil {
		return nil, notFound("pending by email", err)
	}
	return pendingFromRow(row)
}

// ConsumePending deletes and returns the pending registration with the
// token hash. DELETE ... RETURNING is one statement and PostgreSQL lets
// only one transaction delete a row, so of several concurrent callers
// exactly one gets it.
func (s *Store) ConsumePending(ctx context.Context, tokenHash string) (*store.PendingRegistration, error) {
	if !storable(tokenHash) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.ConsumePending(ctx, tokenHash)
	if err != nil {
		return nil, notFound("consume pending", err)
	}
	return pendingFromRow(row)
}

// CreateAccountToken stores a one-time token.
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	err := s.q.InsertAccountToken(ctx, pgdb.InsertAccountTokenParams{
		TokenHash: t.TokenHash,
		UserID:    t.UserID,
		Purpose:   t.Purpose,
		NewEmail:  optionalText(t.NewEmail),
		CreatedAt: timestamptz(t.CreatedAt),
		ExpiresAt: timestamptz(t.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("postgres: create account token: %w", err)
	}
	return nil
}

// ConsumeAccountToken deletes and returns the token if it has that purpose
// and has not expired at now; one DELETE ... RETURNING, so exactly one of
// several concurrent callers succeeds. An expired token stays until
// PurgeExpired.
func (s *Store) ConsumeAccountToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*store.AccountToken, error) {
	if !storable(tokenHash) || !storable(purpose) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.ConsumeAccountToken(ctx, pgdb.ConsumeAccountTokenParams{
		TokenHash: tokenHash,
		Purpose:   purpose,
		Now:       timestamptz(now),
	})
	if err != nil {
		return nil, notFound("consume account token", err)
	}
	return accountTokenFromRow(row)
}

// RevokeToken records jti as logged out; a second call is a no-op.
func (s *Store) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	if err := s.q.RevokeToken(ctx, pgdb.RevokeTokenParams{Jti: jti, Exp: timestamptz(exp)}); err != nil {
		return fmt.Errorf("postgres: revoke token: %w", err)
	}
	return nil
}

// IsTokenRevoked reports whether jti was logged out.
func (s *Store) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	if !storable(jti) {
		return false, nil
	}
	revoked, err := s.q.IsTokenRevoked(ctx, jti)
	if err != nil {
		return false, fmt.Errorf("postgres: is token revoked: %w", err)
	}
	return revoked, nil
}

// ReserveLoginAttempt records a failure and reads the window's failures in
// one transaction.
//
// In READ COMMITTED (see inTx) an insert followed by a count does not
// make N concurrent callers see N distinct counts: two of them can
// insert, then each count before the other has committed, and both see
// the same number. So the transaction first takes a transaction-scoped
// advisory lock keyed by the lower-cased address. Callers for one address
// then run one after another, and each count, a new snapshot taken after
// the lock was granted, sees every earlier caller's committed insert plus
// its own. Callers for different addresses do not wait for each other
// (two addresses whose hashes collide merely share a queue), and the lock
// ends with the transaction, so a crashed caller cannot leave it held.
// (SERIALIZABLE would also be correct, but would answer the race with
// serialization failures to retry instead of a short wait.)
func (s *Store) ReserveLoginAttempt(ctx context.Context, email string, at, windowStart time.Time) (store.LoginAttempt, error) {
	var (
		id   int64
		rows []pgtype.Timestamptz
	)
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		if err := q.LockLoginAttempts(ctx, email); err != nil {
			return fmt.Errorf("postgres: reserve login attempt: lock: %w", err)
		}
		var err error
		id, err = q.InsertLoginAttempt(ctx, pgdb.InsertLoginAttemptParams{Email: email, At: timestamptz(at)})
		if err != nil {
			return fmt.Errorf("postgres: reserve login attempt: insert: %w", err)
		}
		rows, err = q.LoginFailuresSince(ctx, pgdb.LoginFailuresSinceParams{
			Email:       email,
			WindowStart: timestamptz(windowStart),
		})
		if err != nil {
			return fmt.Errorf("postgres: reserve login attempt: count: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.LoginAttempt{}, err
	}
	recent, err := timesFromRows(rows)
	if err != nil {
		return store.LoginAttempt{}, err
	}
	return store.LoginAttempt{ID: id, Recent: recent}, nil
}

// LoginFailuresSince returns the failure times for email since windowStart,
// oldest first.
func (s *Store) LoginFailuresSince(ctx context.Context, email string, windowStart time.Time) ([]time.Time, error) {
	if !storable(email) {
		return []time.Time{}, nil
	}
	rows, err := s.q.LoginFailuresSince(ctx, pgdb.LoginFailuresSinceParams{
		Email:       email,
		WindowStart: timestamptz(windowStart),
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: login failures: %w", err)
	}
	return timesFromRows(rows)
}

// WithdrawLoginAttempt deletes one reserved attempt. Withdrawing an id that
// is already gone (purged or cleared) is not an error.
func (s *Store) WithdrawLoginAttempt(ctx context.Context, id int64) error {
	if err := s.q.WithdrawLoginAttempt(ctx, id); err != nil {
		return fmt.Errorf("postgres: withdraw login attempt: %w", err)
	}
	return nil
}

// ClearLoginFailures deletes every failure recorded for email.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	if !storable(email) {
		return nil
	}
	if err := s.q.ClearLoginFailures(ctx, email); err != nil {
		return fmt.Errorf("postgres: clear login failures: %w", err)
	}
	return nil
}

// PurgeExpired deletes rows whose expiry is before now and login failures
// at or before loginWindowStart, in one transaction.
func (s *Store) PurgeExpired(ctx context.Context, now, loginWindowStart time.Time) error {
	cutoff, window := timestamptz(now), timestamptz(loginWindowStart)
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		if err := q.PurgePending(ctx, cutoff); err != nil {
			return fmt.Errorf("postgres: purge pending registrations: %w", err)
		}
		if err := q.PurgeAccountTokens(ctx, cutoff); err != nil {
			return fmt.Errorf("postgres: purge account tokens: %w", err)
		}
		if err := q.PurgeRevokedTokens(ctx, cutoff); err != nil {
			return fmt.Errorf("postgres: purge revoked tokens: %w", err)
		}
		if err := q.PurgeLoginAttempts(ctx, window); err != nil {
			return fmt.Errorf("postgres: purge login failures: %w", err)
		}
		return nil
	})
}

// readOnlySnapshot runs fn in a REPEATABLE READ, read-only transaction, so
// several queries see one consistent state of the database.
func (s *Store) readOnlySnapshot(ctx context.Context, fn func(q *pgdb.Queries) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(s.q.WithTx(tx)); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}
