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

// The SMS second factor: store.MFACodes on the mfa_codes table
// (migrations/00004_mfa_codes.sql, queries in mfa.sql). The decisive step
// of each method is one statement, whose row lock orders it against
// concurrent calls for the same code.

// PutMFACode stores c, replacing the user's code of its kind unless that
// one was created after notBefore (a zero notBefore never refuses), in
// one upsert. When the upsert kept the old code, the conflict still locked
// its row, so the read after it, in the same transaction, returns exactly
// the code that was kept; of concurrent calls for one user and kind the
// later ones wait for that lock and see the first one's code.
func (s *Store) PutMFACode(ctx context.Context, c *store.MFACode, notBefore time.Time) (*store.MFACode, error) {
	if !storable(c.UserID) || !storable(c.Kind) || !storable(c.PendingID) {
		return nil, fmt.Errorf("postgres: put mfa code: a key holds a NUL byte or invalid UTF-8")
	}
	var (
		row  pgdb.MfaCode
		kept bool
	)
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.PutMFACode(ctx, pgdb.PutMFACodeParams{
			UserID:      c.UserID,
			Kind:        c.Kind,
			CodeHash:    c.CodeHash,
			PendingID:   c.PendingID,
			Phone:       c.Phone,
			Attempts:    clampInt32(c.Attempts),
			MaxAttempts: clampInt32(c.MaxAttempts),
			CreatedAt:   timestamptz(c.CreatedAt),
			ExpiresAt:   timestamptz(c.ExpiresAt),
			NotBefore:   optionalTimestamptz(notBefore),
		})
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		kept = true
		row, err = q.MFACode(ctx, pgdb.MFACodeParams{UserID: c.UserID, Kind: c.Kind})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: put mfa code: %w", err)
	}
	got, err := mfaCodeFromRow(row)
	if err != nil {
		return nil, err
	}
	if kept {
		return got, store.ErrCooldown
	}
	return got, nil
}

// ReserveMFAAttempt counts one check against the user's code of kind
// issued with pendingID, if it is live at now and has checks left, in one
// conditional UPDATE (see mfa.sql). When that matches nothing, the code is
// read to tell the caller why; a code replaced in between is answered as
// not found.
func (s *Store) ReserveMFAAttempt(ctx context.Context, userID, kind, pendingID string, now time.Time) (*store.MFACode, bool, error) {
	if !storable(userID) || !storable(kind) || !storable(pendingID) {
		return nil, false, store.ErrNotFound
	}
	row, err := s.q.ReserveMFAAttempt(ctx, pgdb.ReserveMFAAttemptParams{
		UserID:    userID,
		Kind:      kind,
		PendingID: pendingID,
		Now:       timestamptz(now),
	})
	reserved := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		row, err = s.q.MFACode(ctx, pgdb.MFACodeParams{UserID: userID, Kind: kind})
		if err == nil && row.PendingID != pendingID {
			// The user's code of this kind was issued for another step.
			return nil, false, store.ErrNotFound
		}
	}
	if err != nil {
		return nil, false, notFound("reserve mfa attempt", err)
	}
	c, err := mfaCodeFromRow(row)
	if err != nil {
		return nil, false, err
	}
	return c, reserved, nil
}

// DeleteMFACode deletes the user's code of kind if it was issued with
// pendingID; one DELETE, so of concurrent callers exactly one sees a row
// go.
func (s *Store) DeleteMFACode(ctx context.Context, userID, kind, pendingID string) error {
	if !storable(userID) || !storable(kind) || !storable(pendingID) {
		return store.ErrNotFound
	}
	n, err := s.q.DeleteMFACode(ctx, pgdb.DeleteMFACodeParams{UserID: userID, Kind: kind, PendingID: pendingID})
	if err != nil {
		return fmt.Errorf("postgres: delete mfa code: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// EnableMFA sets the phone number and IsMFAEnabled and deletes the user's
// codes, in one transaction: a code sent before the change cannot be used
// after it.
func (s *Store) EnableMFA(ctx context.Context, userID, phone string, now time.Time) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	var row pgdb.User
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.EnableMFA(ctx, pgdb.EnableMFAParams{PhoneNumber: optionalText(phone), Now: timestamptz(now), ID: userID})
		if err != nil {
			return notFound("enable mfa", err)
		}
		if err := q.DeleteMFACodesForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: enable mfa: delete codes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

// DisableMFA clears the phone number and IsMFAEnabled, moves the session
// cutoff when revokeSessions is set (in the same statement, as
// RevokeSessions does), and deletes the user's codes, in one transaction.
func (s *Store) DisableMFA(ctx context.Context, userID string, now time.Time, revokeSessions bool) (*store.User, error) {
	if !storable(userID) {
		return nil, store.ErrNotFound
	}
	var row pgdb.User
	err := s.inTx(ctx, func(q *pgdb.Queries) error {
		var err error
		row, err = q.DisableMFA(ctx, pgdb.DisableMFAParams{RevokeSessions: revokeSessions, Now: timestamptz(now), ID: userID})
		if err != nil {
			return notFound("disable mfa", err)
		}
		if err := q.DeleteMFACodesForUser(ctx, userID); err != nil {
			return fmt.Errorf("postgres: disable mfa: delete codes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

func mfaCodeFromRow(row pgdb.MfaCode) (*store.MFACode, error) {
	var tr timeReader
	c := &store.MFACode{
		UserID:      row.UserID,
		Kind:        row.Kind,
		CodeHash:    row.CodeHash,
		PendingID:   row.PendingID,
		Phone:       row.Phone,
		Attempts:    int(row.Attempts),
		MaxAttempts: int(row.MaxAttempts),
		CreatedAt:   tr.required(row.CreatedAt),
		ExpiresAt:   tr.required(row.ExpiresAt),
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return c, nil
}
