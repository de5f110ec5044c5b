// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgdb"
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
		EmailKey:               store.EmailKey(u.Email),
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

// UserByEmail looks the email up by store.EmailKey.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	if !storable(email) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.UserByEmail(ctx, store.EmailKey(email))
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

// SetPassword stores the new hash, moves the session cutoff to now (or
// the last sign-in, if later) and deletes the user's outstanding account
// tokens, in one transaction: a link mailed before the change must
// not work after it.
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

// SetEmail moves the account to email, moves the session cutoff to now
// (or the last sign-in, if later) and deletes the user's outstanding
// account tokens, in one transaction: a link mailed to the old address
// must not act on the account once it has another. The unique index on
// email_key decides races between two accounts claiming one address.
func (s *Store) SetEmail(ctx context.Context, userID, email string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	var row pgdb.User
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.SetEmail(ctx, pgdb.SetEmailParams{
			Email:    email,
			EmailKey: store.EmailKey(email),
			Now:      timestamptz(now),
			ID:       userID,
		})
		if isUniqueViolation(err) {
			return store.ErrEmailTaken
		}
		if err != nil {
			return notFound("set email", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: set email: delete account tokens: %w", err)
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
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.MarkVerified(ctx, pgdb.MarkVerifiedParams{Now: timestamptz(now), ID: userID})
	if err != nil {
		return nil, notFound("mark verified", err)
	}
	return userFromRow(row)
}

// RecordLogin sets LastLogin (and UpdatedAt) to r.At, and the hash to
// r.Rehash when that is set, in one conditional UPDATE: only if the account
// is active, still has r.PasswordHash ("" for none: a provider sign-in)
// and has no session cutoff at or after r.At. A concurrent password change, disable or revocation either
// comes first, and the UPDATE (which waits for its row lock if it is still
// held, then re-checks the conditions on the new row version) changes
// nothing, or comes after and moves the cutoff to at least r.At (see
// query.sql): the session about to be issued is refused either way.
func (s *Store) RecordLogin(ctx context.Context, userID string, r store.LoginRecord) error {
	if !storable(userID) {
		return store.ErrNotFound
	}
	if !storable(r.PasswordHash) {
		return s.staleOrNotFound(ctx, userID)
	}
	n, err := s.q.RecordLogin(ctx, pgdb.RecordLoginParams{
		At:             timestamptz(r.At),
		Rehash:         optionalText(r.Rehash),
		ID:             userID,
		HashedPassword: r.PasswordHash,
	})
	if err != nil {
		return fmt.Errorf("postgres: record login: %w", err)
	}
	if n == 0 {
		return s.staleOrNotFound(ctx, userID)
	}
	return nil
}

// staleOrNotFound tells why RecordLogin changed nothing: the account
// changed (store.ErrStale) or is gone (store.ErrNotFound). It runs only on
// that failure path; the answer may be a moment late, but either way the
// sign-in is refused.
func (s *Store) staleOrNotFound(ctx context.Context, userID string) error {
	exists, err := s.q.UserExists(ctx, userID)
	if err != nil {
		return fmt.Errorf("postgres: record login: %w", err)
	}
	if !exists {
		return store.ErrNotFound
	}
	return store.ErrStale
}

// PasswordParams counts the users with a password by the parameter part of
// their PHC hash string, grouped by the database (see query.sql).
func (s *Store) PasswordParams(ctx context.Context) (map[string]int, error) {
	rows, err := s.q.PasswordParams(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: password parameters: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, row := range rows {
		out[row.Params] = int(row.Users)
	}
	return out, nil
}

// DeleteUser removes the user with their account tokens, the pending
// registrations for their email and the login failures under its key, in
// one transaction. The stored key is used rather than one computed from
// the address: an account that lost its key to an older one in migration
// 3 must not take the other account's rows with it.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if !storable(userID) {
		return store.ErrNotFound
	}
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		key, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return notFound("delete user", err)
		}
		if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: delete user: account tokens: %w", err)
		}
		if _, err := q.DeletePendingByKey(ctx, key); err != nil {
			return fmt.Errorf("postgres: delete user: pending registrations: %w", err)
		}
		if err := q.ClearLoginFailures(ctx, key); err != nil {
			return fmt.Errorf("postgres: delete user: login failures: %w", err)
		}
		return nil
	})
}

// AddPending stores p beside the other pending registrations for its
// address, assigning p.ID when it is empty; see store.Store for the
// contested marking and the trimming to keep rows. It holds the address's
// advisory lock (LockPendingAddress), so two sign-ups racing for a fresh
// address see each other, and a ConsumePending of the address runs wholly
// before or after it.
func (s *Store) AddPending(ctx context.Context, p *store.PendingRegistration, keep int) error {
	if p.ID == "" {
		p.ID = newID()
	}
	key := store.EmailKey(p.Email)
	var contested bool
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		if err := q.LockPendingAddress(ctx, key); err != nil {
			return fmt.Errorf("postgres: add pending: lock: %w", err)
		}
		var err error
		contested, err = q.LivePendingExists(ctx, pgdb.LivePendingExistsParams{
			EmailKey: key,
			At:       timestamptz(p.CreatedAt),
		})
		if err != nil {
			return fmt.Errorf("postgres: add pending: %w", err)
		}
		if contested {
			if err := q.ContestPending(ctx, key); err != nil {
				return fmt.Errorf("postgres: add pending: contest: %w", err)
			}
		}
		err = q.InsertPending(ctx, pgdb.InsertPendingParams{
			ID:             p.ID,
			Email:          p.Email,
			EmailKey:       key,
			HashedPassword: p.PasswordHash,
			FullName:       textFrom(p.FullName),
			TokenHash:      p.TokenHash,
			CreatedAt:      timestamptz(p.CreatedAt),
			ExpiresAt:      timestamptz(p.ExpiresAt),
			Contested:      contested,
		})
		if err != nil {
			return fmt.Errorf("postgres: add pending: %w", err)
		}
		err = q.TrimPending(ctx, pgdb.TrimPendingParams{
			EmailKey: key,
			MaxRows:  clampInt32(max(keep, 2)),
		})
		if err != nil {
			return fmt.Errorf("postgres: add pending: trim: %w", err)
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
	if !storable(email) {
		return []*store.PendingRegistration{}, nil
	}
	rows, err := s.q.PendingByEmail(ctx, store.EmailKey(email))
	if err != nil {
		return nil, fmt.Errorf("postgres: pending by email: %w", err)
	}
	out := make([]*store.PendingRegistration, len(rows))
	for i, row := range rows {
		if out[i], err = pendingFromRow(row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RenewPending gives the registration id a new token hash, creation time
// and expiry; the old link stops working.
func (s *Store) RenewPending(ctx context.Context, id, tokenHash string, createdAt, expiresAt time.Time) error {
	if !storable(id) {
		return store.ErrNotFound
	}
	n, err := s.q.RenewPending(ctx, pgdb.RenewPendingParams{
		TokenHash: tokenHash,
		CreatedAt: timestamptz(createdAt),
		ExpiresAt: timestamptz(expiresAt),
		ID:        id,
	})
	if err != nil {
		return fmt.Errorf("postgres: renew pending: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ConsumePending deletes and returns the registration with the token hash
// together with every other one for its address, in one transaction under
// the address's advisory lock. Once the lock is granted, the DELETE (a new
// snapshot in READ COMMITTED) sees what earlier holders committed: if one
// of them consumed the address, the rows are gone, or at least this token's
// row is, and the call answers store.ErrNotFound having deleted nothing
// (the transaction rolls back). So of concurrent calls for the rows of one
// address exactly one gets a row.
func (s *Store) ConsumePending(ctx context.Context, tokenHash string, now time.Time) (*store.PendingRegistration, error) {
	if !storable(tokenHash) {
		return nil, store.ErrNotFound
	}
	var (
		mine      pgdb.PendingRegistration
		contested bool
	)
	// Compared as stored: to the microsecond.
	live := timestamptz(now).Time
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		key, err := q.PendingKeyByToken(ctx, tokenHash)
		if err != nil {
			return notFound("consume pending", err)
		}
		if err := q.LockPendingAddress(ctx, key); err != nil {
			return fmt.Errorf("postgres: consume pending: lock: %w", err)
		}
		rows, err := q.DeletePendingByKey(ctx, key)
		if err != nil {
			return fmt.Errorf("postgres: consume pending: %w", err)
		}
		found := false
		for _, row := range rows {
			switch {
			case row.TokenHash == tokenHash:
				mine, found = row, true
			case row.ExpiresAt.Time.After(live):
				// A link of another registration still worked.
				contested = true
			}
		}
		if !found {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, err := pendingFromRow(mine)
	if err != nil {
		return nil, err
	}
	p.Contested = p.Contested || contested
	return p, nil
}

// CreateAccountToken stores a one-time token and deletes the user's
// other tokens of its purpose, in one transaction under the user's
// advisory lock (LockAccountTokens): without it, two racing calls could
// each delete before the other inserted, and both links would work.
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		if err := q.LockAccountTokens(ctx, t.UserID); err != nil {
			return fmt.Errorf("postgres: create account token: lock: %w", err)
		}
		err := q.DeleteAccountTokensForPurpose(ctx, pgdb.DeleteAccountTokensForPurposeParams{
			UserID:  t.UserID,
			Purpose: t.Purpose,
		})
		if err != nil {
			return fmt.Errorf("postgres: create account token: delete older tokens: %w", err)
		}
		err = q.InsertAccountToken(ctx, pgdb.InsertAccountTokenParams{
			TokenHash: t.TokenHash,
			UserID:    t.UserID,
			Purpose:   t.Purpose,
			NewEmail:  optionalText(t.NewEmail),
			Email:     t.Email,
			CreatedAt: timestamptz(t.CreatedAt),
			ExpiresAt: timestamptz(t.ExpiresAt),
		})
		if err != nil {
			return fmt.Errorf("postgres: create account token: %w", err)
		}
		return nil
	})
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

// SessionUser reads the user and the token's revocation in one statement.
// A string PostgreSQL cannot store names no row (as in UserByID), and a
// jti it cannot store was never revoked.
func (s *Store) SessionUser(ctx context.Context, userID, jti string) (*store.User, bool, error) {
	if !storable(userID) {
		return nil, false, store.ErrNotFound
	}
	if !storable(jti) {
		jti = ""
	}
	row, err := s.q.SessionUser(ctx, pgdb.SessionUserParams{Jti: jti, UserID: userID})
	if err != nil {
		return nil, false, notFound("session user", err)
	}
	u, err := userFromRow(row.User)
	if err != nil {
		return nil, false, err
	}
	return u, row.Revoked, nil
}

// ReserveLoginAttempt records a failure and reads the window's failures in
// one transaction.
//
// In READ COMMITTED (see inTx) an insert followed by a count does not
// make N concurrent callers see N distinct counts: two of them can
// insert, then each count before the other has committed, and both see
// the same number. So the transaction first takes a transaction-scoped
// advisory lock keyed by the attempt key. Callers for one key then run
// one after another, and each count, a new snapshot taken after the lock
// was granted, sees every earlier caller's committed insert plus its own.
// Callers for different keys do not wait for each other (two keys whose
// hashes collide merely share a queue), and the lock
// ends with the transaction, so a crashed caller cannot leave it held.
// (SERIALIZABLE would also be correct, but would answer the race with
// serialization failures to retry instead of a short wait.)
func (s *Store) ReserveLoginAttempt(ctx context.Context, key string, at, windowStart time.Time) (store.LoginAttempt, error) {
	var (
		id   int64
		rows []pgtype.Timestamptz
	)
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		if err := q.LockLoginAttempts(ctx, key); err != nil {
			return fmt.Errorf("postgres: reserve login attempt: lock: %w", err)
		}
		var err error
		id, err = q.InsertLoginAttempt(ctx, pgdb.InsertLoginAttemptParams{Key: key, At: timestamptz(at)})
		if err != nil {
			return fmt.Errorf("postgres: reserve login attempt: insert: %w", err)
		}
		rows, err = q.LoginFailuresSince(ctx, pgdb.LoginFailuresSinceParams{
			Key:         key,
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

// LoginFailuresSince returns the attempt times for key since windowStart,
// oldest first.
func (s *Store) LoginFailuresSince(ctx context.Context, key string, windowStart time.Time) ([]time.Time, error) {
	if !storable(key) {
		return []time.Time{}, nil
	}
	rows, err := s.q.LoginFailuresSince(ctx, pgdb.LoginFailuresSinceParams{
		Key:         key,
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

// ClearLoginFailures deletes every attempt recorded for key.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if !storable(key) {
		return nil
	}
	if err := s.q.ClearLoginFailures(ctx, key); err != nil {
		return fmt.Errorf("postgres: clear login failures: %w", err)
	}
	return nil
}

// PurgeExpired deletes rows whose expiry is before now and attempts at or
// before attemptsBefore, in one transaction, and returns how many rows it
// deleted.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time) (int64, error) {
	cutoff, window := timestamptz(now), timestamptz(attemptsBefore)
	var total int64
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		purges := []struct {
			what   string
			purge  func(context.Context, pgtype.Timestamptz) (int64, error)
			before pgtype.Timestamptz
		}{
			{"pending registrations", q.PurgePending, cutoff},
			{"account tokens", q.PurgeAccountTokens, cutoff},
			{"revoked tokens", q.PurgeRevokedTokens, cutoff},
			{"attempts", q.PurgeLoginAttempts, window},
		}
		for _, p := range purges {
			n, err := p.purge(ctx, p.before)
			if err != nil {
				return fmt.Errorf("postgres: purge %s: %w", p.what, err)
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

// UpdateUser applies an operator's patch in one UPDATE. Disabling the
// user (IsActive false) moves the session cutoff to now (or the last
// sign-in, if later) in the same statement and deletes the user's account
// tokens in the same transaction, so no emailed link outlives the
// disabling; enabling leaves the cutoff alone. An empty patch changes
// nothing, not even UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, userID string, patch store.UserPatch, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	if patch.IsActive == nil && patch.IsSuperuser == nil && patch.FullName == nil {
		return s.UserByID(ctx, userID)
	}
	var row pgdb.User
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.UpdateUser(ctx, pgdb.UpdateUserParams{
			IsActive:    boolFrom(patch.IsActive),
			IsSuperuser: boolFrom(patch.IsSuperuser),
			FullName:    textFrom(patch.FullName),
			Now:         timestamptz(now),
			ID:          userID,
		})
		if err != nil {
			return notFound("update user", err)
		}
		if patch.IsActive != nil && !*patch.IsActive {
			if err := q.DeleteAccountTokensForUser(ctx, userID); err != nil {
				return fmt.Errorf("postgres: update user: delete account tokens: %w", err)
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
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	row, err := s.q.RevokeSessions(ctx, pgdb.RevokeSessionsParams{Now: timestamptz(now), ID: userID})
	if err != nil {
		return nil, notFound("revoke sessions", err)
	}
	return userFromRow(row)
}

// clampInt32 fits a page bound (not negative) into the int32 that LIMIT
// and OFFSET take here; no table holds more rows than that anyway.
func clampInt32(n int) int32 {
	return int32(min(n, math.MaxInt32))
}
