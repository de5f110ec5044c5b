// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// The SMS second factor: store.MFACodes on the mfa_codes table
// (migrations/00003_mfa_codes.sql, queries in mfa.sql). Each method is one
// statement or one write transaction, and BEGIN IMMEDIATE (see source.dsn)
// serialises writers, so a statement's conditions and a read after it in
// the same transaction see no other writer in between.

// PutMFACode stores c, replacing the user's code of its kind unless that
// one was created after notBefore (a zero notBefore never refuses). The
// check and the upsert run in one write transaction, which BEGIN
// IMMEDIATE serialises with every other writer, so of concurrent calls
// only the first replaces a code while the cooldown holds. (SQL with a
// WHERE on the upsert's DO UPDATE would decide it in one statement, but
// sqlc does not bind parameters there on SQLite.)
func (s *Store) PutMFACode(ctx context.Context, c *store.MFACode, notBefore time.Time) (*store.MFACode, error) {
	var stored *store.MFACode
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		row, err := q.MFACode(ctx, sqlitedb.MFACodeParams{UserID: c.UserID, Kind: c.Kind})
		switch {
		case err == nil:
			// Compared as stored: fixed-width text orders as time does.
			if !notBefore.IsZero() && row.CreatedAt > formatTime(notBefore) {
				if stored, err = mfaCodeFromRow(row); err != nil {
					return err
				}
				return store.ErrCooldown
			}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: put mfa code: read the current code: %w", err)
		}
		row, err = q.PutMFACode(ctx, sqlitedb.PutMFACodeParams{
			UserID:      c.UserID,
			Kind:        c.Kind,
			CodeHash:    c.CodeHash,
			PendingID:   c.PendingID,
			Phone:       c.Phone,
			Attempts:    int64(c.Attempts),
			MaxAttempts: int64(c.MaxAttempts),
			CreatedAt:   formatTime(c.CreatedAt),
			ExpiresAt:   formatTime(c.ExpiresAt),
		})
		if err != nil {
			return fmt.Errorf("sqlite: put mfa code: %w", err)
		}
		stored, err = mfaCodeFromRow(row)
		return err
	})
	if errors.Is(err, store.ErrCooldown) {
		return stored, err
	}
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// ReserveMFAAttempt counts one check against the user's code of kind
// issued with pendingID, if it is live at now and has checks left. When
// the conditional UPDATE matches nothing, the code is read in the same
// transaction, so the caller is told about the row the UPDATE saw.
func (s *Store) ReserveMFAAttempt(ctx context.Context, userID, kind, pendingID string, now time.Time) (*store.MFACode, bool, error) {
	var (
		row      sqlitedb.MfaCode
		reserved bool
	)
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.ReserveMFAAttempt(ctx, sqlitedb.ReserveMFAAttemptParams{
			UserID:    userID,
			Kind:      kind,
			PendingID: pendingID,
			Now:       formatTime(now),
		})
		if err == nil {
			reserved = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: reserve mfa attempt: %w", err)
		}
		row, err = q.MFACode(ctx, sqlitedb.MFACodeParams{UserID: userID, Kind: kind})
		if err != nil {
			return notFound("reserve mfa attempt", err)
		}
		if row.PendingID != pendingID {
			// The user's code of this kind was issued for another step.
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, false, err
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
	n, err := s.q.DeleteMFACode(ctx, sqlitedb.DeleteMFACodeParams{UserID: userID, Kind: kind, PendingID: pendingID})
	if err != nil {
		return fmt.Errorf("sqlite: delete mfa code: %w", err)
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
	var row sqlitedb.User
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.EnableMFA(ctx, sqlitedb.EnableMFAParams{PhoneNumber: optionalString(phone), Now: formatTime(now), ID: userID})
		if err != nil {
			return notFound("enable mfa", err)
		}
		if err := q.DeleteMFACodesForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: enable mfa: delete codes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

// DisableMFA clears the phone number and IsMFAEnabled, moves the session
// cutoff when revokeSessions is set (as RevokeSessions does), and deletes
// the user's codes, in one transaction.
func (s *Store) DisableMFA(ctx context.Context, userID string, now time.Time, revokeSessions bool) (*store.User, error) {
	var row sqlitedb.User
	err := s.inTx(ctx, func(q *sqlitedb.Queries) error {
		var err error
		row, err = q.DisableMFA(ctx, sqlitedb.DisableMFAParams{Now: formatTime(now), RevokeSessions: revokeSessions, ID: userID})
		if err != nil {
			return notFound("disable mfa", err)
		}
		if err := q.DeleteMFACodesForUser(ctx, userID); err != nil {
			return fmt.Errorf("sqlite: disable mfa: delete codes: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return userFromRow(row)
}

// deleteMFACodes deletes every code of the user; DeleteUser calls it in
// its transaction.
func deleteMFACodes(ctx context.Context, q *sqlitedb.Queries, userID string) error {
	if err := q.DeleteMFACodesForUser(ctx, userID); err != nil {
		return fmt.Errorf("sqlite: delete user: sms codes: %w", err)
	}
	return nil
}

func mfaCodeFromRow(row sqlitedb.MfaCode) (*store.MFACode, error) {
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
