// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgdb"
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

// clampInt32 fits a page bound (not negative) into the int32 that LIMIT
// and OFFSET take here; no table holds more rows than that anyway.
func clampInt32(n int) int32 {
	return int32(min(n, math.MaxInt32))
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
