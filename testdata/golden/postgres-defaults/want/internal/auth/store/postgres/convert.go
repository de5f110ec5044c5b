// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgdb"
)

// timestamptz prepares t for storage: UTC, truncated to microseconds.
// PostgreSQL keeps microseconds and would round finer input, which could
// move a revocation cutoff past the instant it was taken.
func timestamptz(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t.UTC().Truncate(time.Microsecond), Valid: true}
}

// optionalTimestamptz stores the zero time ("never") as NULL.
func optionalTimestamptz(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return timestamptz(t)
}

// timeReader converts stored times, remembering the first failure so a row
// with several time columns is converted with one error check.
type timeReader struct{ err error }

func (r *timeReader) required(ts pgtype.Timestamptz) time.Time {
	if !ts.Valid || ts.InfinityModifier != pgtype.Finite {
		if r.err == nil {
			r.err = errors.New("postgres: stored time is NULL or infinite where an instant is required")
		}
		return time.Time{}
	}
	return ts.Time.UTC()
}

func (r *timeReader) optional(ts pgtype.Timestamptz) time.Time {
	if !ts.Valid {
		return time.Time{}
	}
	return r.required(ts)
}

// optionalText stores "" as NULL.
func optionalText(s string) pgtype.Text {
	return pgtype.Text{String: s, Valid: s != ""}
}

func textPtr(t pgtype.Text) *string {
	if !t.Valid {
		return nil
	}
	v := t.String
	return &v
}

func textFrom(p *string) pgtype.Text {
	if p == nil {
		return pgtype.Text{}
	}
	return pgtype.Text{String: *p, Valid: true}
}

func boolFrom(p *bool) pgtype.Bool {
	if p == nil {
		return pgtype.Bool{}
	}
	return pgtype.Bool{Bool: *p, Valid: true}
}

// storable reports whether PostgreSQL can hold s in a TEXT column: valid
// UTF-8 without NUL bytes. A lookup key that is not storable cannot match
// any row, and sending it would only earn an encoding error, so lookups
// answer store.ErrNotFound for it without asking the server.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
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

// uniqueViolation is PostgreSQL's SQLSTATE for a row refused by a UNIQUE
// index or constraint.
const uniqueViolation = "23505"

// isUniqueViolation reports whether err is PostgreSQL refusing a row because
// a unique index already holds its key.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound and wraps anything
// else with what was being done.
func notFound(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func userFromRow(row pgdb.User) (*store.User, error) {
	var tr timeReader
	u := &store.User{
		ID:                     row.ID,
		Email:                  row.Email,
		PasswordHash:           row.HashedPassword.String,
		IsActive:               row.IsActive,
		IsVerified:             row.IsVerified,
		IsSuperuser:            row.IsSuperuser,
		FullName:               textPtr(row.FullName),
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

func pendingFromRow(row pgdb.PendingRegistration) (*store.PendingRegistration, error) {
	var tr timeReader
	p := &store.PendingRegistration{
		ID:           row.ID,
		Email:        row.Email,
		PasswordHash: row.HashedPassword,
		FullName:     textPtr(row.FullName),
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

func accountTokenFromRow(row pgdb.AccountToken) (*store.AccountToken, error) {
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

func timesFromRows(rows []pgtype.Timestamptz) ([]time.Time, error) {
	var tr timeReader
	out := make([]time.Time, len(rows))
	for i, ts := range rows {
		out[i] = tr.required(ts)
	}
	return out, tr.err
}
