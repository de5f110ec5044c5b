// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// Stats reads the user counts the triggers of
// 00005_user_list_and_counts.sql keep exact, and counts the pending
// registrations that have not expired at now (a range on their expires_at
// index), in one read transaction so the numbers agree. No call scans the
// user table.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var st store.Stats
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("sqlite: stats: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	q := s.q.WithTx(tx)
	users, err := q.UserCounts(ctx)
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

// ListUsers returns one page of users, newest first (ties by id,
// descending), and how many match the email prefix in total: the kept
// count without a prefix, a count over the email_key index range with one.
// The page and the total are read in one transaction.
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
	skip, limit := int64(p.Skip), int64(p.Limit)
	var (
		total int64
		rows  []sqlitedb.User
	)
	if p.EmailPrefix == "" {
		counts, err := q.UserCounts(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list users: count: %w", err)
		}
		total = counts.Total
		if p.After == nil {
			rows, err = q.ListUsers(ctx, sqlitedb.ListUsersParams{Skip: skip, Limit: limit})
		} else {
			rows, err = q.ListUsersAfter(ctx, sqlitedb.ListUsersAfterParams{
				CreatedAt: formatTime(p.After.CreatedAt), ID: p.After.ID, Skip: skip, Limit: limit,
			})
		}
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list users: %w", err)
		}
	} else {
		prefix := store.EmailKey(p.EmailPrefix)
		end, ok := store.KeyPrefixEnd(prefix)
		if !ok {
			// prefix is only U+10FFFF: every key at or above it starts
			// with it, and no UTF-8 text reaches this byte.
			end = "\xf5"
		}
		total, err = q.CountUsersByPrefix(ctx, sqlitedb.CountUsersByPrefixParams{Prefix: prefix, PrefixEnd: end})
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list users: count: %w", err)
		}
		// The matches of the email_key range, sorted by time from the
		// index alone: the cost follows the number of matches, an index
		// entry each (a one-letter prefix on a large table is the slow
		// case). Walking the time index instead would be cheap only when
		// the matches are spread evenly over time, and unbounded when they
		// are all old.
		if p.After == nil {
			rows, err = q.ListUsersByPrefix(ctx, sqlitedb.ListUsersByPrefixParams{
				Prefix: prefix, PrefixEnd: end, Skip: skip, Limit: limit,
			})
		} else {
			rows, err = q.ListUsersByPrefixAfter(ctx, sqlitedb.ListUsersByPrefixAfterParams{
				Prefix: prefix, PrefixEnd: end,
				CreatedAt: formatTime(p.After.CreatedAt), ID: p.After.ID, Skip: skip, Limit: limit,
			})
		}
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list users: %w", err)
		}
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

// ImportUsers inserts users as CreateUser does (assigning each empty ID),
// all in one transaction: the bulk path of an import or of bench/scale,
// far faster than a transaction per user. The counts of Stats follow in
// the same transaction. A taken address fails the whole batch with
// store.ErrEmailTaken.
func (s *Store) ImportUsers(ctx context.Context, users []*store.User) error {
	return s.inTx(ctx, func(q *sqlitedb.Queries) error {
		for _, u := range users {
			if u.ID == "" {
				u.ID = newID()
			}
			err := q.CreateUser(ctx, sqlitedb.CreateUserParams{
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
				return fmt.Errorf("sqlite: import users: %w", err)
			}
		}
		return nil
	})
}
