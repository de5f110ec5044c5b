// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/acme/shop/internal/accounts/store"
	"github.com/acme/shop/internal/accounts/store/sqlite/sqlitedb"
)

// Store is store.Store on one SQLite database. It is safe for concurrent
// use; create it with Open.
type Store struct {
	db *sql.DB
	q  *sqlitedb.Queries

	// hot runs the query of every authenticated request (SessionUser)
	// through a statement prepared once: without one, the driver parses
	// and plans the SQL on every call, a third of GET /me's CPU time.
	hotOnce sync.Once
	hot     *sqlitedb.Queries
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
		EmailKey:               store.EmailKey(u.Email),
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

// UserByEmail looks the email up by store.EmailKey.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	row, err := s.q.UserByEmail(ctx, store.EmailKey(email))
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

// SetPassword stores the new hash, moves the session cutoff to now (or the
// last sign-in, if later) and deletes the user's outstanding account
// tokens, in one transaction: a link mailed before the change must
// not work after it.
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

// SetEmail moves the account to email, moves the session cutoff and
// deletes the user's account tokens, in one transaction: a link mailed to
// the old address must not act on the account after the move. The unique
// index on email_key decides races between two accounts claiming one
// address.
func (s *Store) SetEmail(ctx context.Context, userID, email string, now time.Time) (*store.User, error) {
	var row sqlitedb.User
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.SetEmail(ctx, sqlitedb.SetEmailParams{
			Email:    email,
			EmailKey: store.EmailKey(email),
			Now:      formatTime(now),
			ID:       userID,
		})
		if isUniqueViolation(err) {
			return store.ErrEmailTaken
		}
		if err != nil {
			return notFound("set email", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: set email: delete account tokens: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
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

// RecordLogin records a sign-in in one conditional UPDATE: it only
// matches while the account is active, still has r.PasswordHash and has no
// session cutoff at or after r.At. When it matches nothing, a second
// look tells a missing user from a changed one; either way nothing was
// written.
func (s *Store) RecordLogin(ctx context.Context, userID string, r store.LoginRecord) error {
	n, err := s.q.RecordLogin(ctx, sqlitedb.RecordLoginParams{
		At:           formatTime(r.At),
		Rehash:       optionalString(r.Rehash),
		ID:           userID,
		PasswordHash: r.PasswordHash,
	})
	if err != nil {
		return fmt.Errorf("sqlite: record login: %w", err)
	}
	if n == 1 {
		return nil
	}
	found, err := s.q.UserExists(ctx, userID)
	if err != nil {
		return fmt.Errorf("sqlite: record login: %w", err)
	}
	if !found {
		return store.ErrNotFound
	}
	return store.ErrStale
}

// PasswordParams counts the users with a password by the parameter part
// of their hash; the database groups them (see query.sql).
func (s *Store) PasswordParams(ctx context.Context) (map[string]int, error) {
	rows, err := s.q.PasswordParams(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: password params: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Params] = int(r.Users)
	}
	return out, nil
}

// DeleteUser removes the user with their account tokens, the pending
// registrations and the attempts under their email key, in one
// transaction. The key is the stored one, so deleting an account that
// lost its key to an older duplicate (migrations/00002_email_key.sql)
// leaves the older account's rows alone.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		key, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return notFound("delete user", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: delete user: account tokens: %w", err)
		}
		if err := q.DeletePendingByEmailKey(ctx, key); err != nil {
			return fmt.Errorf("sqlite: delete user: pending registrations: %w", err)
		}
		if err := q.ClearLoginFailures(ctx, key); err != nil {
			return fmt.Errorf("sqlite: delete user: login failures: %w", err)
		}
		return nil
	})
}

// AddPending stores p beside the address's other registrations, assigning
// p.ID when it is empty. In one transaction it marks them all contested if
// one is still live at p.CreatedAt, inserts p with the same mark and
// deletes all but the newest keep.
func (s *Store) AddPending(ctx context.Context, p *store.PendingRegistration, keep int) error {
	if p.ID == "" {
		p.ID = newID()
	}
	key := store.EmailKey(p.Email)
	var contested bool
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		marked, err := q.MarkPendingContested(ctx, sqlitedb.MarkPendingContestedParams{
			EmailKey:  key,
			CreatedAt: formatTime(p.CreatedAt),
		})
		if err != nil {
			return fmt.Errorf("sqlite: add pending: mark contested: %w", err)
		}
		contested = marked > 0
		err = q.InsertPending(ctx, sqlitedb.InsertPendingParams{
			ID:             p.ID,
			Email:          p.Email,
			EmailKey:       key,
			HashedPassword: p.PasswordHash,
			FullName:       nullStringFrom(p.FullName),
			TokenHash:      p.TokenHash,
			CreatedAt:      formatTime(p.CreatedAt),
			ExpiresAt:      formatTime(p.ExpiresAt),
			Contested:      contested,
		})
		if err != nil {
			return fmt.Errorf("sqlite: add pending: insert: %w", err)
		}
		if err := q.TrimPending(ctx, sqlitedb.TrimPendingParams{EmailKey: key, Keep: int64(keep)}); err != nil {
			return fmt.Errorf("sqlite: add pending: trim: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.Contested = contested
	return nil
}

// PendingByEmail returns the pending registrations for email, newest
// first, expired or not.
func (s *Store) PendingByEmail(ctx context.Context, email string) ([]*store.PendingRegistration, error) {
	rows, err := s.q.PendingByEmailKey(ctx, store.EmailKey(email))
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending by email: %w", err)
	}
	out := make([]*store.PendingRegistration, 0, len(rows))
	for _, row := range rows {
		p, err := pendingFromRow(row)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// RenewPending gives the registration a new link and expiry.
func (s *Store) RenewPending(ctx context.Context, id, tokenHash string, createdAt, expiresAt time.Time) error {
	n, err := s.q.RenewPending(ctx, sqlitedb.RenewPendingParams{
		TokenHash: tokenHash,
		CreatedAt: formatTime(createdAt),
		ExpiresAt: formatTime(expiresAt),
		ID:        id,
	})
	if err != nil {
		return fmt.Errorf("sqlite: renew pending: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ConsumePending deletes and returns the registration with the token hash
// and deletes the address's others, in one write transaction. BEGIN
// IMMEDIATE serialises concurrent callers, so for the links of one address
// exactly one finds its row; the rest find it gone.
func (s *Store) ConsumePending(ctx context.Context, tokenHash string, now time.Time) (*store.PendingRegistration, error) {
	var (
		row  sqlitedb.PendingRegistration
		live int64
	)
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.ConsumePending(ctx, tokenHash)
		if err != nil {
			return notFound("consume pending", err)
		}
		live, err = q.CountLivePendingByEmailKey(ctx, sqlitedb.CountLivePendingByEmailKeyParams{
			EmailKey: row.EmailKey,
			Now:      formatTime(now),
		})
		if err != nil {
			return fmt.Errorf("sqlite: consume pending: count others: %w", err)
		}
		if err := q.DeletePendingByEmailKey(ctx, row.EmailKey); err != nil {
			return fmt.Errorf("sqlite: consume pending: delete others: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, err := pendingFromRow(row)
	if err != nil {
		return nil, err
	}
	// Another link still working means someone else may have signed up
	// for this address too.
	p.Contested = p.Contested || live > 0
	return p, nil
}

// CreateAccountToken stores a one-time token and deletes the user's older
// ones of the same purpose, in one transaction.
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		err := q.DeleteAccountTokensForPurpose(ctx, sqlitedb.DeleteAccountTokensForPurposeParams{
			UserID:  t.UserID,
			Purpose: t.Purpose,
		})
		if err != nil {
			return fmt.Errorf("sqlite: create account token: delete older: %w", err)
		}
		err = q.InsertAccountToken(ctx, sqlitedb.InsertAccountTokenParams{
			TokenHash: t.TokenHash,
			UserID:    t.UserID,
			Purpose:   t.Purpose,
			NewEmail:  optionalString(t.NewEmail),
			Email:     t.Email,
			CreatedAt: formatTime(t.CreatedAt),
			ExpiresAt: formatTime(t.ExpiresAt),
		})
		if err != nil {
			return fmt.Errorf("sqlite: create account token: %w", err)
		}
		return nil
	})
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

// SessionUser reads the user and the token's revocation in one statement.
func (s *Store) SessionUser(ctx context.Context, userID, jti string) (*store.User, bool, error) {
	s.hotOnce.Do(func() { s.hot = sqlitedb.New(&preparedDB{db: s.db}) })
	row, err := s.hot.SessionUser(ctx, sqlitedb.SessionUserParams{Jti: jti, UserID: userID})
	if err != nil {
		return nil, false, notFound("session user", err)
	}
	u, err := userFromRow(row.User)
	if err != nil {
		return nil, false, err
	}
	return u, row.Revoked, nil
}

// preparedDB is a sqlitedb.DBTX that prepares each query once, on first
// use, and runs it through that statement from then on (database/sql
// prepares it again on each pooled connection as needed). A statement that
// cannot be prepared runs unprepared, which reports the error.
type preparedDB struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt
}

func (p *preparedDB) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := p.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

func (p *preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

func (p *preparedDB) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p *preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *preparedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// ReserveLoginAttempt records an attempt and reads the window's attempts
// in one write transaction. BEGIN IMMEDIATE serialises concurrent callers,
// so each sees its own insert plus every earlier one: N callers, N counts.
func (s *Store) ReserveLoginAttempt(ctx context.Context, key string, at, windowStart time.Time) (store.LoginAttempt, error) {
	var (
		id   int64
		rows []string
	)
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		id, err = q.InsertLoginAttempt(ctx, sqlitedb.InsertLoginAttemptParams{AttemptKey: key, At: formatTime(at)})
		if err != nil {
			return fmt.Errorf("sqlite: reserve login attempt: insert: %w", err)
		}
		rows, err = q.LoginFailuresSince(ctx, sqlitedb.LoginFailuresSinceParams{
			AttemptKey:  key,
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

// LoginFailuresSince returns the attempt times for key since windowStart,
// oldest first.
func (s *Store) LoginFailuresSince(ctx context.Context, key string, windowStart time.Time) ([]time.Time, error) {
	rows, err := s.q.LoginFailuresSince(ctx, sqlitedb.LoginFailuresSinceParams{
		AttemptKey:  key,
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

// ClearLoginFailures deletes every attempt recorded for key.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if err := s.q.ClearLoginFailures(ctx, key); err != nil {
		return fmt.Errorf("sqlite: clear login failures: %w", err)
	}
	return nil
}

// PurgeExpired deletes rows whose expiry is before now and attempts at or
// before attemptsBefore, in one transaction, and returns how many went.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time) (int64, error) {
	cutoff := formatTime(now)
	purges := []struct {
		what string
		run  func(q *sqlitedb.Queries) (int64, error)
	}{
		{"pending registrations", func(q *sqlitedb.Queries) (int64, error) { return q.PurgePending(ctx, cutoff) }},
		{"account tokens", func(q *sqlitedb.Queries) (int64, error) { return q.PurgeAccountTokens(ctx, cutoff) }},
		{"revoked tokens", func(q *sqlitedb.Queries) (int64, error) { return q.PurgeRevokedTokens(ctx, cutoff) }},
		{"attempts", func(q *sqlitedb.Queries) (int64, error) {
			return q.PurgeLoginAttempts(ctx, formatTime(attemptsBefore))
		}},
	}
	var total int64
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		for _, p := range purges {
			n, err := p.run(q)
			if err != nil {
				return fmt.Errorf("sqlite: purge %s: %w", p.what, err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// UpdateUser applies an operator's patch. Disabling also moves the session
// cutoff and deletes the user's account tokens, in the same transaction.
// An empty patch changes nothing, not even UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, userID string, patch store.UserPatch, now time.Time) (*store.User, error) {
	if patch.IsActive == nil && patch.IsSuperuser == nil && patch.FullName == nil {
		return s.UserByID(ctx, userID)
	}
	disable := patch.IsActive != nil && !*patch.IsActive
	var row sqlitedb.User
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.UpdateUser(ctx, sqlitedb.UpdateUserParams{
			IsActive:       nullBoolFrom(patch.IsActive),
			IsSuperuser:    nullBoolFrom(patch.IsSuperuser),
			FullName:       nullStringFrom(patch.FullName),
			Now:            formatTime(now),
			RevokeSessions: disable,
			ID:             userID,
		})
		if err != nil {
			return notFound("update user", err)
		}
		if disable {
			if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
				return fmt.Errorf("sqlite: update user: delete account tokens: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

// RevokeSessions moves the user's session cutoff to now, or to the last
// sign-in if that is later. UpdatedAt stays: nothing about the account
// itself changed.
func (s *Store) RevokeSessions(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	row, err := s.q.RevokeSessions(ctx, sqlitedb.RevokeSessionsParams{Now: formatTime(now), ID: userID})
	if err != nil {
		return nil, notFound("revoke sessions", err)
	}
	return userFromRow(row)
}
