// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// timeLayout is how every time is stored: fixed width, UTC, microseconds.
// Fixed width is what makes string order equal time order in SQL.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// formatTime renders t for storage, truncated to microseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// formatOptionalTime stores the zero time ("never") as NULL.
func formatOptionalTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// timeReader parses stored times, remembering the first failure so a row
// with several time columns is converted with one error check.
type timeReader struct{ err error }

func (r *timeReader) required(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("sqlite: stored time %q: %w", s, err)
	}
	return t
}

func (r *timeReader) optional(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return r.required(s.String)
}

// optionalString stores "" as NULL.
func optionalString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

func stringPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

func nullBoolFrom(p *bool) sql.NullBool {
	if p == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *p, Valid: true}
}

func nullStringFrom(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// newID returns a random (version 4) UUID as 32 lowercase hex digits, the
// form the Python reference stores.
func newID() string {
	var b [16]byte
	// crypto/rand.Read never fails; it crashes the program instead.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return hex.EncodeToString(b[:])
}

// isUniqueViolation reports whether err is SQLite refusing a row because a
// UNIQUE index already holds its key. The driver enables extended result
// codes, so the code distinguishes UNIQUE from other constraint failures.
func isUniqueViolation(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// notFound turns sql.ErrNoRows into store.ErrNotFound and wraps anything
// else with what was being done.
func notFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

func userFromRow(row sqlitedb.User) (*store.User, error) {
	var tr timeReader
	u := &store.User{
		ID:                     row.ID,
		Email:                  row.Email,
		PasswordHash:           row.HashedPassword.String,
		IsActive:               row.IsActive,
		IsVerified:             row.IsVerified,
		IsSuperuser:            row.IsSuperuser,
		FullName:               stringPtr(row.FullName),
		PhoneNumber:            row.PhoneNumber.String,
		IsMFAEnabled:           row.IsMfaEnabled,
		CreatedAt:              tr.required(row.CreatedAt),
		UpdatedAt:              tr.required(row.UpdatedAt),
		LastLogin:              tr.optional(row.LastLogin),
		TokensInvalidatedAfter: tr.optional(row.TokensInvalidatedAfter),
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return u, nil
}

func pendingFromRow(row sqlitedb.PendingRegistration) (*store.PendingRegistration, error) {
	var tr timeReader
	p := &store.PendingRegistration{
		ID:           row.ID,
		Email:        row.Email,
		PasswordHash: row.HashedPassword,
		FullName:     stringPtr(row.FullName),
		TokenHash:    row.TokenHash,
		CreatedAt:    tr.required(row.CreatedAt),
		ExpiresAt:    tr.required(row.ExpiresAt),
		Contested:    row.Contested,
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return p, nil
}

func accountTokenFromRow(row sqlitedb.AccountToken) (*store.AccountToken, error) {
	var tr timeReader
	t := &store.AccountToken{
		TokenHash: row.TokenHash,
		UserID:    row.UserID,
		Purpose:   row.Purpose,
		NewEmail:  row.NewEmail.String,
		Email:     row.Email,
		CreatedAt: tr.required(row.CreatedAt),
		ExpiresAt: tr.required(row.ExpiresAt),
	}
	if tr.err != nil {
		return nil, tr.err
	}
	return t, nil
}

func timesFromRows(rows []string) ([]time.Time, error) {
	var tr timeReader
	out := make([]time.Time, len(rows))
	for i, s := range rows {
		out[i] = tr.required(s)
	}
	return out, tr.err
}
