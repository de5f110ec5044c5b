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
	prefix := store.EmailKey(p.EmailPrefix)
	total, err := q.CountListedUsers(ctx, prefix)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list users: count: %w", err)
	}
	rows, err := q.ListUsers(ctx, sqlitedb.ListUsersParams{Prefix: prefix, Skip: int64(p.Skip), Limit: int64(p.Limit)})
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
