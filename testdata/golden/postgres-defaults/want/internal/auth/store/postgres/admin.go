// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgdb"
)

// Stats reads the user counts the triggers of
// 00006_user_list_and_counts.sql keep exact, and counts the pending
// registrations that have not expired at now, in one statement (one
// snapshot). No call scans the user table.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	row, err := s.q.Stats(ctx, timestamptz(now))
	if err != nil {
		return store.Stats{}, fmt.Errorf("postgres: stats: %w", err)
	}
	return store.Stats{
		TotalUsers:           int(row.TotalUsers),
		ActiveUsers:          int(row.ActiveUsers),
		VerifiedUsers:        int(row.VerifiedUsers),
		Superusers:           int(row.Superusers),
		PendingRegistrations: int(row.PendingRegistrations),
	}, nil
}

// ListUsers returns one page of users, newest first (ties by id,
// descending), and how many have an email key starting with the prefix's
// in total: the kept count without a prefix, a count over the email_key
// index range with one. The page and the total are read in one snapshot,
// so a concurrent sign-up cannot make them disagree.
func (s *Store) ListUsers(ctx context.Context, p store.ListUsersParams) ([]*store.User, int, error) {
	if p.Skip < 0 || p.Limit < 0 {
		return nil, 0, errors.New("postgres: list users: negative skip or limit")
	}
	if !storable(p.EmailPrefix) || (p.After != nil && !storable(p.After.ID)) {
		// No stored address can start with it, no stored id is it.
		return []*store.User{}, 0, nil
	}
	var prefix, end string
	if p.EmailPrefix != "" {
		var ok bool
		prefix = store.EmailKey(p.EmailPrefix)
		if end, ok = store.KeyPrefixEnd(prefix); !ok {
			// Only U+10FFFF, a noncharacter no address holds.
			return []*store.User{}, 0, nil
		}
	}
	skip, limit := clampInt32(p.Skip), clampInt32(p.Limit)
	var (
		rows  []pgdb.User
		total int64
	)
	err := s.readOnlySnapshot(ctx, func(q *pgdb.Queries) error {
		var err error
		if prefix == "" {
			total, err = q.UserTotal(ctx)
		} else {
			total, err = q.CountUsersByPrefix(ctx, pgdb.CountUsersByPrefixParams{KeyPrefix: prefix, KeyPrefixEnd: end})
		}
		if err != nil {
			return fmt.Errorf("postgres: list users: count: %w", err)
		}
		switch {
		case prefix == "" && p.After == nil:
			rows, err = q.ListUsers(ctx, pgdb.ListUsersParams{Skip: skip, MaxRows: limit})
		case prefix == "":
			rows, err = q.ListUsersAfter(ctx, pgdb.ListUsersAfterParams{
				CreatedAt: timestamptz(p.After.CreatedAt), ID: p.After.ID, Skip: skip, MaxRows: limit,
			})
		case p.After == nil:
			rows, err = q.ListUsersByPrefix(ctx, pgdb.ListUsersByPrefixParams{
				KeyPrefix: prefix, KeyPrefixEnd: end, Skip: skip, MaxRows: limit,
			})
		default:
			rows, err = q.ListUsersByPrefixAfter(ctx, pgdb.ListUsersByPrefixAfterParams{
				KeyPrefix: prefix, KeyPrefixEnd: end,
				CreatedAt: timestamptz(p.After.CreatedAt), ID: p.After.ID, Skip: skip, MaxRows: limit,
			})
		}
		if err != nil {
			return fmt.Errorf("postgres: list users: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	users, err := usersFromRows(rows)
	if err != nil {
		return nil, 0, err
	}
	return users, int(total), nil
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

func usersFromRows(rows []pgdb.User) ([]*store.User, error) {
	users := make([]*store.User, len(rows))
	for i, row := range rows {
		u, err := userFromRow(row)
		if err != nil {
			return nil, err
		}
		users[i] = u
	}
	return users, nil
}

// ImportUsers inserts users as CreateUser does (assigning each empty ID),
// all in one transaction: the bulk path of an import or of bench/scale,
// far faster than a transaction per user. The counts of Stats follow in
// the same transaction. A taken address fails the whole batch with
// store.ErrEmailTaken.
func (s *Store) ImportUsers(ctx context.Context, users []*store.User) error {
	return s.inTx(ctx, func(q *pgdb.Queries) error {
		for _, u := range users {
			if u.ID == "" {
				u.ID = newID()
			}
			err := q.CreateUser(ctx, pgdb.CreateUserParams{
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
				return fmt.Errorf("postgres: import users: %w", err)
			}
		}
		return nil
	})
}
