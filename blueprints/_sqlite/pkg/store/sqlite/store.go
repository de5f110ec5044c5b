// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/sqlite/sqlitedb"
)

// Store is store.Store on one SQLite database. It is safe for concurrent
// use; create it with Open.
type Store struct {
	db *sql.DB
	q  *sqlitedb.Queries
}

var _ store.Store = (*Store)(nil)

// inTx runs fn in one write transaction (BEGIN IMMEDIATE, see source.dsn)
// and commits only if fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(q *sqlitedb.Queries) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(s.q.WithTx(tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// CreateUser inserts u, assigning u.ID when it is empty.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	err := s.q.CreateUser(ctx, sqlitedb.CreateUserParams{
		ID:                     u.ID,
		Email:                  u.Email,
		HashedPassword:         optionalString(u.PasswordHash),
		IsActive:               u.IsActive,
		IsVerified:             u.IsVerified,
		IsSuperuser:            u.IsSuperuser,
		FullName:               nullStringFrom(u.FullName),
		PhoneNumber:            optionalString(u.PhoneNumber),
		IsMfaEnabled:           u.IsMFAEnabled,
		CreatedAt:              formatTime(u.CreatedAt),
		UpdatedAt:              formatTime(u.UpdatedAt),
		LastLogin:              formatOptionalTime(u.LastLogin),
		TokensInvalidatedAfter: formatOptionalTime(u.TokensInvalidatedAfter),
	})
	if isUniqueViolation(err) {
		return store.ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	return nil
}

// UserByID returns store.ErrNotFound for an unknown id.
func (s *Store) UserByID(ctx context.Context, id string) (*store.User, error) {
	row, err := s.q.UserByID(ctx, id)
	if err != nil {
		return nil, notFound("user by id", err)
	}
	return userFromRow(row)
}

// UserByEmail looks the email up case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	row, err := s.q.UserByEmail(ctx, email)
	if err != nil {
		return nil, notFound("user by email", err)
	}
	return userFromRow(row)
}

// SetFullName sets or clears (nil) the full name.
func (s *Store) SetFullName(ctx context.Context, userID string, fullName *string, now time.Time) (*store.User, error) {
	row, err := s.q.SetFullName(ctx, sqlitedb.SetFullNameParams{
		FullName: nullStringFrom(fullName),
		Now:      formatTime(now),
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
	var row sqlitedb.User
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.SetPassword(ctx, sqlitedb.SetPasswordParams{
			HashedPassword: optionalString(passwordHash),
			Now:            formatTime(now),
			ID:             userID,
		})
		if err != nil {
			return notFound("set password", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: set password: delete account tokens: %w", err)
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
	row, err := s.q.SetEmail(ctx, sqlitedb.SetEmailParams{
		Email: email,
		Now:   formatTime(now),
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
	row, err := s.q.MarkVerified(ctx, sqlitedb.MarkVerifiedParams{Now: formatTime(now), ID: userID})
	if err != nil {
		return nil, notFound("mark verified", err)
	}
	return userFromRow(row)
}

// RecordLogin sets LastLogin (and UpdatedAt) to at.
func (s *Store) RecordLogin(ctx context.Context, userID string, at time.Time) error {
	n, err := s.q.RecordLogin(ctx, sqlitedb.RecordLoginParams{At: formatTime(at), ID: userID})
	if err != nil {
		return fmt.Errorf("sqlite: record login: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser removes the user with their account tokens, the pending
// registration and the login failures for their email, in one transaction.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		email, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return notFound("delete user", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: delete user: account tokens: %w", err)
		}
		if err := q.DeletePendingByEmail(ctx, email); err != nil {
			return fmt.Errorf("sqlite: delete user: pending registration: %w", err)
		}
		if err := q.ClearLoginFailures(ctx, email); err != nil {
			return fmt.Errorf("sqlite: delete user: login failures: %w", err)
		}
		return nil
	})
}

// UpsertPending replaces any pending registration for p.Email (compared
// case-insensitively), assigning p.ID when it is empty.
func (s *Store) UpsertPending(ctx context.Context, p *store.PendingRegistration) error {
	if p.ID == "" {
		p.ID = newID()
	}
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		if err := q.DeletePendingByEmail(ctx, p.Email); err != nil {
			return fmt.Errorf("sqlite: upsert pending: delete: %w", err)
		}
		err := q.InsertPending(ctx, sqlitedb.InsertPendingParams{
			ID:             p.ID,
			Email:          p.Email,
			HashedPassword: p.PasswordHash,
			FullName:       nullStringFrom(p.FullName),
			TokenHash:      p.TokenHash,
			CreatedAt:      formatTime(p.CreatedAt),
			ExpiresAt:      formatTime(p.ExpiresAt),
		})
		if err != nil {
			return fmt.Errorf("sqlite: upsert pending: insert: %w", err)
		}
		return nil
	})
}

// PendingByEmail returns the pending registration for email, expired or
// not.
func (s *Store) PendingByEmail(ctx context.Context, email string) (*store.PendingRegistration, error) {
	row, err := s.q.PendingByEmail(ctx, email)
	if err != nil {
		return nil, notFound("pending by email", err)
	}
	return pendingFromRow(row)
}

// ConsumePending deletes and returns the pending registration with the
// token hash. DELETE ... RETURNING is one statement, so of several
// concurrent callers exactly one gets the row.
func (s *Store) ConsumePending(ctx context.Context, tokenHash string) (*store.PendingRegistration, error) {
	row, err := s.q.ConsumePending(ctx, tokenHash)
	if err != nil {
		return nil, notFound("consume pending", err)
	}
	return pendingFromRow(row)
}

// CreateAccountToken stores a one-time token.
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	err := s.q.InsertAccountToken(ctx, sqlitedb.InsertAccountTokenParams{
		TokenHash: t.TokenHash,
		UserID:    t.UserID,
		Purpose:   t.Purpose,
		NewEmail:  optionalString(t.NewEmail),
		CreatedAt: formatTime(t.CreatedAt),
		ExpiresAt: formatTime(t.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("sqlite: create account token: %w", err)
	}
	return nil
}

// ConsumeAccountToken deletes and returns the token if it has that purpose
// and has not expired at now; one statement, so exactly one of several
// concurrent callers succeeds. An expired token stays until PurgeExpired.
func (s *Store) ConsumeAccountToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*store.AccountToken, error) {
	row, err := s.q.ConsumeAccountToken(ctx, sqlitedb.ConsumeAccountTokenParams{
		TokenHash: tokenHash,
		Purpose:   purpose,
		Now:       formatTime(now),
	})
	if err != nil {
		return nil, notFound("consume account token", err)
	}
	return accountTokenFromRow(row)
}

// RevokeToken records jti as logged out; a second call is a no-op.
func (s *Store) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	if err := s.q.RevokeToken(ctx, sqlitedb.RevokeTokenParams{Jti: jti, Exp: formatTime(exp)}); err != nil {
		return fmt.Errorf("sqlite: revoke token: %w", err)
	}
	return nil
}

// IsTokenRevoked reports whether jti was logged out.
func (s *Store) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	revoked, err := s.q.IsTokenRevoked(ctx, jti)
	if err != nil {
		return false, fmt.Errorf("sqlite: is token revoked: %w", err)
	}
	return revoked, nil
}

// ReserveLoginAttempt records a failure and reads the window's failures in
// one write transaction. BEGIN IMMEDIATE serialises concurrent callers, so
// each sees its own insert plus every earlier one: N callers, N counts.
func (s *Store) ReserveLoginAttempt(ctx context.Context, email string, at, windowStart time.Time) (store.LoginAttempt, error) {
	var (
		id   int64
		rows []string
	)
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		id, err = q.InsertLoginAttempt(ctx, sqlitedb.InsertLoginAttemptParams{Email: email, At: formatTime(at)})
		if err != nil {
			return fmt.Errorf("sqlite: reserve login attempt: insert: %w", err)
		}
		rows, err = q.LoginFailuresSince(ctx, sqlitedb.LoginFailuresSinceParams{
			Email:       email,
			WindowStart: formatTime(windowStart),
		})
		if err != nil {
			return fmt.Errorf("sqlite: reserve login attempt: count: %w", err)
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
	rows, err := s.q.LoginFailuresSince(ctx, sqlitedb.LoginFailuresSinceParams{
		Email:       email,
		WindowStart: formatTime(windowStart),
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: login failures: %w", err)
	}
	return timesFromRows(rows)
}

// WithdrawLoginAttempt deletes one reserved attempt. Withdrawing an id that
// is already gone (purged or cleared) is not an error.
func (s *Store) WithdrawLoginAttempt(ctx context.Context, id int64) error {
	if err := s.q.WithdrawLoginAttempt(ctx, id); err != nil {
		return fmt.Errorf("sqlite: withdraw login attempt: %w", err)
	}
	return nil
}

// ClearLoginFailures deletes every failure recorded for email.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	if err := s.q.ClearLoginFailures(ctx, email); err != nil {
		return fmt.Errorf("sqlite: clear login failures: %w", err)
	}
	return nil
}

// PurgeExpired deletes rows whose expiry is before now and login failures
// before loginWindowStart, in one transaction.
func (s *Store) PurgeExpired(ctx context.Context, now, loginWindowStart time.Time) error {
	cutoff, window := formatTime(now), formatTime(loginWindowStart)
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		if err := q.PurgePending(ctx, cutoff); err != nil {
			return fmt.Errorf("sqlite: purge pending registrations: %w", err)
		}
		if err := q.PurgeAccountTokens(ctx, cutoff); err != nil {
			return fmt.Errorf("sqlite: purge account tokens: %w", err)
		}
		if err := q.PurgeRevokedTokens(ctx, cutoff); err != nil {
			return fmt.Errorf("sqlite: purge revoked tokens: %w", err)
		}
		if err := q.PurgeLoginAttempts(ctx, window); err != nil {
			return fmt.Errorf("sqlite: purge login failures: %w", err)
		}
		return nil
	})
}

// Stats counts users by status and the pending registrations that have not
// expired at now, in one read transaction so the numbers agree.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var st store.Stats
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("sqlite: stats: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	q := s.q.WithTx(tx)
	users, err := q.CountUsers(ctx)
	if err != nil {
		return st, fmt.Errorf("sqlite: stats: users: %w", err)
	}
	pending, err := q.CountLivePending(ctx, formatTime(now))
	if err != nil {
		return st, fmt.Errorf("sqlite: stats: pending registrations: %w", err)
	}
	return store.Stats{
		TotalUsers:           int(users.Total),
		ActiveUsers:          int(users.Active),
		VerifiedUsers:        int(users.Verified),
		Superusers:           int(users.Superusers),
		PendingRegistrations: int(pending),
	}, nil
}

// ListUsers returns one page of users, newest first, and how many match
// the email prefix in total.
func (s *Store) ListUsers(ctx context.Context, p store.ListUsersParams) ([]*store.User, int, error) {
	if p.Skip < 0 || p.Limit < 0 {
		return nil, 0, fmt.Errorf("sqlite: list users: negative skip or limit")
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list users: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	q := s.q.WithTx(tx)
	total, err := q.CountListedUsers(ctx, p.EmailPrefix)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list users: count: %w", err)
	}
	rows, err := q.ListUsers(ctx, sqlitedb.ListUsersParams{Prefix: p.EmailPrefix, Skip: int64(p.Skip), Limit: int64(p.Limit)})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list users: %w", err)
	}
	users := make([]*store.User, 0, len(rows))
	for _, row := range rows {
		u, err := userFromRow(row)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, int(total), nil
}

// UpdateUser applies an operator's patch in one statement; disabling also
// moves the session cutoff to now. An empty patch changes nothing, not
// even UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, userID string, patch store.UserPatch, now time.Time) (*store.User, error) {
	if patch.IsActive == nil && patch.IsSuperuser == nil && patch.FullName == nil {
		return s.UserByID(ctx, userID)
	}
	row, err := s.q.UpdateUser(ctx, sqlitedb.UpdateUserParams{
		IsActive:       nullBoolFrom(patch.IsActive),
		IsSuperuser:    nullBoolFrom(patch.IsSuperuser),
		FullName:       nullStringFrom(patch.FullName),
		Now:            formatTime(now),
		RevokeSessions: patch.IsActive != nil && !*patch.IsActive,
		ID:             userID,
	})
	if err != nil {
		return nil, notFound("update user", err)
	}
	return userFromRow(row)
}

// RevokeSessions moves the user's session cutoff to now. UpdatedAt stays:
// nothing about the account itself changed.
func (s *Store) RevokeSessions(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	row, err := s.q.RevokeSessions(ctx, sqlitedb.RevokeSessionsParams{Now: formatOptionalTime(now), ID: userID})
	if err != nil {
		return nil, notFound("revoke sessions", err)
	}
	return userFromRow(row)
}
