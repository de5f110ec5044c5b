// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"example.com/demo/internal/auth/store"
)

// micros is how every time is stored: microseconds since the Unix epoch,
// in UTC. Sub-microsecond digits are dropped, never rounded up, so a stored
// cutoff is never later than the instant it was taken.
func micros(t time.Time) int64 {
	return t.Truncate(time.Microsecond).UnixMicro()
}

// optionalMicros stores the zero time ("never") as an absent field.
func optionalMicros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	us := micros(t)
	return &us
}

// timeOf reads a stored time back, in UTC.
func timeOf(us int64) time.Time {
	return time.UnixMicro(us).UTC()
}

func optionalTimeOf(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return timeOf(*us)
}

// ttlDate is the BSON date twin a TTL index watches. BSON dates hold
// milliseconds, so it is rounded up: the server may reap a row a little
// after it expired, never before.
func ttlDate(t time.Time) time.Time {
	ms := t.Truncate(time.Millisecond)
	if ms.Before(t) {
		ms = ms.Add(time.Millisecond)
	}
	return ms.UTC()
}

// newID returns a new ObjectId as 24 lowercase hex digits.
func newID() string {
	return bson.NewObjectID().Hex()
}

// idValue is the _id an id string is stored under: an ObjectId when the
// string is one's canonical (lowercase hex) form, the string itself
// otherwise. The mapping is one-to-one, so any id round-trips exactly and
// an unknown or malformed id is simply not found.
func idValue(id string) any {
	if len(id) == 24 && isLowerHex(id) {
		if oid, err := bson.ObjectIDFromHex(id); err == nil {
			return oid
		}
	}
	return id
}

// idString turns a stored _id back into the id string.
func idString(v any) (string, error) {
	switch id := v.(type) {
	case bson.ObjectID:
		return id.Hex(), nil
	case string:
		return id, nil
	}
	return "", fmt.Errorf("mongo: stored _id of unexpected type %T", v)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// notFound turns mongo.ErrNoDocuments into store.ErrNotFound and wraps
// anything else with what was being done.
func notFound(op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.ErrNotFound
	}
	return fmt.Errorf("mongo: %s: %w", op, err)
}

// isDuplicateKey reports a unique-index violation. MongoDB reports one as
// E11000 from inserts and updates alike; FerretDB v1 does so for inserts
// only and answers an update that would break a unique index with a
// generic InternalError carrying SQLite's message, which is recognised
// here so the store behaves the same on both.
func isDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var ce mongo.CommandError
	return errors.As(err, &ce) && strings.Contains(ce.Message, "UNIQUE constraint failed")
}

// userDoc is a users document. Optional values are pointers so that "not
// set" is an absent field, as in the Python reference's documents.
type userDoc struct {
	ID    any    `bson:"_id"`
	Email string `bson:"email"`
	// EmailKey is store.EmailKey(Email), under the unique index. Only the
	// index step that introduced that key (migrate.go) ever stores
	// anything else: a key no lookup produces, for a later account that
	// collided with an earlier one.
	EmailKey               string  `bson:"email_key"`
	HashedPassword         *string `bson:"hashed_password,omitempty"`
	IsActive               bool    `bson:"is_active"`
	IsVerified             bool    `bson:"is_verified"`
	IsSuperuser            bool    `bson:"is_superuser"`
	FullName               *string `bson:"full_name,omitempty"`
	PhoneNumber            *string `bson:"phone_number,omitempty"`
	IsMFAEnabled           bool    `bson:"is_mfa_enabled"`
	CreatedAt              int64   `bson:"created_at"`
	UpdatedAt              int64   `bson:"updated_at"`
	LastLogin              *int64  `bson:"last_login,omitempty"`
	TokensInvalidatedAfter *int64  `bson:"tokens_invalidated_after,omitempty"`
}

// optionalString stores "" as an absent field.
func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func stringOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func userDocFrom(u *store.User) userDoc {
	return userDoc{
		ID:                     idValue(u.ID),
		Email:                  u.Email,
		EmailKey:               store.EmailKey(u.Email),
		HashedPassword:         optionalString(u.PasswordHash),
		IsActive:               u.IsActive,
		IsVerified:             u.IsVerified,
		IsSuperuser:            u.IsSuperuser,
		FullName:               u.FullName,
		PhoneNumber:            optionalString(u.PhoneNumber),
		IsMFAEnabled:           u.IsMFAEnabled,
		CreatedAt:              micros(u.CreatedAt),
		UpdatedAt:              micros(u.UpdatedAt),
		LastLogin:              optionalMicros(u.LastLogin),
		TokensInvalidatedAfter: optionalMicros(u.TokensInvalidatedAfter),
	}
}

func (d userDoc) user() (*store.User, error) {
	id, err := idString(d.ID)
	if err != nil {
		return nil, err
	}
	return &store.User{
		ID:                     id,
		Email:                  d.Email,
		PasswordHash:           stringOf(d.HashedPassword),
		IsActive:               d.IsActive,
		IsVerified:             d.IsVerified,
		IsSuperuser:            d.IsSuperuser,
		FullName:               d.FullName,
		PhoneNumber:            stringOf(d.PhoneNumber),
		IsMFAEnabled:           d.IsMFAEnabled,
		CreatedAt:              timeOf(d.CreatedAt),
		UpdatedAt:              timeOf(d.UpdatedAt),
		LastLogin:              optionalTimeOf(d.LastLogin),
		TokensInvalidatedAfter: optionalTimeOf(d.TokensInvalidatedAfter),
	}, nil
}

// pendingDoc is a pending_registrations document. Several may share an
// email_key (one per sign-up for the address); token_hash is unique.
type pendingDoc struct {
	ID             any     `bson:"_id"`
	Email          string  `bson:"email"`
	EmailKey       string  `bson:"email_key"`
	HashedPassword string  `bson:"hashed_password"`
	FullName       *string `bson:"full_name,omitempty"`
	TokenHash      string  `bson:"token_hash"`
	CreatedAt      int64   `bson:"created_at"`
	ExpiresAt      int64   `bson:"expires_at"`
	// Contested is absent (false) in rows written before it existed.
	Contested     bool      `bson:"contested"`
	ExpiresAtDate time.Time `bson:"expires_at_date"`
}

func pendingDocFrom(p *store.PendingRegistration) pendingDoc {
	return pendingDoc{
		ID:             idValue(p.ID),
		Email:          p.Email,
		EmailKey:       store.EmailKey(p.Email),
		HashedPassword: p.PasswordHash,
		FullName:       p.FullName,
		TokenHash:      p.TokenHash,
		CreatedAt:      micros(p.CreatedAt),
		ExpiresAt:      micros(p.ExpiresAt),
		Contested:      p.Contested,
		ExpiresAtDate:  ttlDate(p.ExpiresAt),
	}
}

func (d pendingDoc) pending() (*store.PendingRegistration, error) {
	id, err := idString(d.ID)
	if err != nil {
		return nil, err
	}
	return &store.PendingRegistration{
		ID:           id,
		Email:        d.Email,
		PasswordHash: d.HashedPassword,
		FullName:     d.FullName,
		TokenHash:    d.TokenHash,
		CreatedAt:    timeOf(d.CreatedAt),
		ExpiresAt:    timeOf(d.ExpiresAt),
		Contested:    d.Contested,
	}, nil
}

// accountTokenDoc is an account_tokens document; the token hash is the _id.
type accountTokenDoc struct {
	TokenHash string  `bson:"_id"`
	UserID    string  `bson:"user_id"`
	Purpose   string  `bson:"purpose"`
	NewEmail  *string `bson:"new_email,omitempty"`
	// Email is the account's address when the token was issued, as given.
	// Tokens written before it existed have none and are deleted by the
	// index step that introduced it (migrate.go).
	Email         string    `bson:"email"`
	CreatedAt     int64     `bson:"created_at"`
	ExpiresAt     int64     `bson:"expires_at"`
	ExpiresAtDate time.Time `bson:"expires_at_date"`
}

func accountTokenDocFrom(t *store.AccountToken) accountTokenDoc {
	return accountTokenDoc{
		TokenHash:     t.TokenHash,
		UserID:        t.UserID,
		Purpose:       t.Purpose,
		NewEmail:      optionalString(t.NewEmail),
		Email:         t.Email,
		CreatedAt:     micros(t.CreatedAt),
		ExpiresAt:     micros(t.ExpiresAt),
		ExpiresAtDate: ttlDate(t.ExpiresAt),
	}
}

func (d accountTokenDoc) token() *store.AccountToken {
	return &store.AccountToken{
		TokenHash: d.TokenHash,
		UserID:    d.UserID,
		Purpose:   d.Purpose,
		NewEmail:  stringOf(d.NewEmail),
		Email:     d.Email,
		CreatedAt: timeOf(d.CreatedAt),
		ExpiresAt: timeOf(d.ExpiresAt),
	}
}

// revokedDoc is a token_blacklist document; the token id is the _id.
type revokedDoc struct {
	JTI     string    `bson:"_id"`
	Exp     int64     `bson:"exp"`
	ExpDate time.Time `bson:"exp_date"`
}
