// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/postgres/pgdb"
)

// Stats counts users by status and the pending registrations that have not
// expired at now, in one statement (one snapshot).
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
// in total. The page and
// the total are read in one snapshot, so a concurrent sign-up cannot make
// them disagree.
func (s *Store) ListUsers(ctx context.Context, p store.ListUsersParams) ([]*store.User, int, error) {
	if p.Skip < 0 || p.Limit < 0 {
		return nil, 0, errors.New("postgres: list users: negative skip or limit")
	}
	if !storable(p.EmailPrefix) {
		// No stored address can start with it.
		return []*store.User{}, 0, nil
	}
	prefix := store.EmailKey(p.EmailPrefix)
	var (
		rows  []pgdb.User
		total int64
	)
	err := s.readOnlySnapshot(ctx, func(q *pgdb.Queries) error {
		var err error
		total, err = q.CountUsers(ctx, prefix)
		if err != nil {
			return fmt.Errorf("postgres: list users: count: %w", err)
		}
		rows, err = q.ListUsers(ctx, pgdb.ListUsersParams{
			KeyPrefix: prefix,
			Skip:      clampInt32(p.Skip),
			MaxRows:   clampInt32(p.Limit),
		})
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
