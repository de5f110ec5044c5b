// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package store defines the persistence the account system needs. Exactly
// one implementation is generated beside it, for the database you chose.
//
// Every method is a single atomic step: callers never need a transaction
// spanning two calls, which keeps the contract implementable on SQLite,
// PostgreSQL and MongoDB alike.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Sentinel errors. Implementations wrap or return these so callers can use
// errors.Is.
var (
	// ErrNotFound means no row matched (or a one-time token was already used
	// or has expired).
	ErrNotFound = errors.New("store: not found")
	// ErrEmailTaken means another user already has that email address
	// (compared case-insensitively).
	ErrEmailTaken = errors.New("store: email address already in use")
	// ErrUnavailable means the database server could not be reached (refused,
	// timed out, shutting down). Open wraps it around such failures, so the
	// account system can start anyway, answer 503 and retry; every other Open
	// error (a malformed URL, a failed migration) is permanent.
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrStale means RecordLogin found the account changed since its
	// password was checked (new password, disabled, sessions revoked), so
	// the sign-in must not produce a session.
	ErrStale = errors.New("store: account changed since the password was checked")
)

// EmailKey is the one form under which an address is compared everywhere:
// the unique index on users and pending registrations, lookups, the login
// lockout and the per-address counters. It is the NFC form with every
// letter lower-cased by Unicode's simple case mapping, so "Östen@x.org" and
// "östen@x.org" (in either composed or decomposed form) are one key on
// every backend. Stores compute it in Go, never with the database's
// lower(), whose folding differs between SQLite (ASCII only), PostgreSQL
// (the server's locale) and MongoDB.
func EmailKey(email string) string {
	return norm.NFC.String(strings.ToLower(norm.NFC.String(email)))
}

// User is an account. Timestamps are UTC with microsecond precision; a zero
// time means "never" or "not set".
type User struct {
	ID    string
	Email string
	// PasswordHash is an Argon2id PHC string, or "" for a password-less
	// account (one that signs in with Google only).
	PasswordHash string
	IsActive     bool
	IsVerified   bool
	IsSuperuser  bool
	// FullName is nil when the user never gave one.
	FullName *string
	// PhoneNumber is the verified E.164 number used for the SMS second step,
	// or "".
	PhoneNumber  string
	IsMFAEnabled bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastLogin    time.Time
	// TokensInvalidatedAfter is the bulk-revocation cutoff: a session token
	// whose iat is at or before it is refused.
	TokensInvalidatedAfter time.Time
}

// HasPassword reports whether the user can sign in with a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }

// PendingRegistration is a sign-up waiting for its email to be confirmed.
// Several may exist for one address (compared by EmailKey), one per
// registration with a different password, each with its own emailed link.
type PendingRegistration struct {
	ID           string
	Email        string
	PasswordHash string
	FullName     *string
	// TokenHash is the lowercase hex SHA-256 of the emailed token.
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Contested is true when another registration for the same address
	// existed beside this one. Whoever follows a link of a contested address
	// proves they read the mailbox, but not which password is theirs, so
	// the account is created without one (see verify.go).
	Contested bool
}

// Purposes of one-time account tokens.
const (
	PurposePasswordReset = "password_reset"
	PurposeEmailChange   = "email_change"
)

// AccountToken is a single-use credential sent by email: a password reset
// or an email change.
// Only the hash of the raw token is stored.
type AccountToken struct {
	TokenHash string
	UserID    string
	Purpose   string
	// NewEmail is the address an email-change token moves the account to.
	NewEmail string
	// Email is the account's address when the token was issued. A token is
	// only honoured while the account still has that address (compared by
	// EmailKey); SetEmail also deletes the tokens outright.
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginRecord is a password check that succeeded, to be recorded as a
// sign-in by RecordLogin.
type LoginRecord struct {
	// At is the sign-in time: the session token's iat and the new LastLogin.
	At time.Time
	// PasswordHash is the stored hash the password was verified against
	// ("" when no password was checked: an account without one, signing
	// in through a provider). The sign-in only counts if the account still
	// has exactly this hash.
	PasswordHash string
	// Rehash, when not "", replaces PasswordHash in the same step: the same
	// password hashed with the current parameters.
	Rehash string
}

// LoginAttempt is the outcome of ReserveLoginAttempt.
type LoginAttempt struct {
	// ID identifies the recorded failure so it can be withdrawn.
	ID int64
	// Recent are the times of the failures recorded for the email after the
	// window start, including this one, oldest first.
	Recent []time.Time
}

// UserPatch is an operator's change to a user; nil fields stay as they are.
type UserPatch struct {
	IsActive    *bool
	IsSuperuser *bool
	FullName    *string
}

// Store is the persistence the account system needs: one value holding
// every concern below, so a backend is one type and Open returns one thing.
//
// Every method that takes an email address compares it by EmailKey; the
// address itself is stored as given.
//
// Every method that revokes sessions sets TokensInvalidatedAfter to the
// latest of now, the user's LastLogin and the cutoff already stored, in the
// same step. A sign-in that RecordLogin accepted just before is thereby
// revoked too, whatever order the two requests ran in and however the
// replicas' clocks differ, and the cutoff never moves back.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the connection pool.
	Close() error

	Users
	Pending
	AccountTokens
	Sessions
	Attempts
	Purger
	Admin
}

// Users are the accounts.
type Users interface {
	// CreateUser inserts u, first assigning u.ID when it is empty (the id's
	// form is the backend's). It returns ErrEmailTaken when the email is in
	// use by another user.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns ErrNotFound for an unknown id of any shape.
	UserByID(ctx context.Context, id string) (*User, error)
	// UserByEmail looks the email up by EmailKey.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// SetFullName sets or clears (nil) the full name.
	SetFullName(ctx context.Context, userID string, fullName *string, now time.Time) (*User, error)
	// SetPassword stores a new hash ("" makes the account password-less),
	// revokes every session issued up to now and deletes the user's
	// outstanding account tokens, in one step.
	SetPassword(ctx context.Context, userID, passwordHash string, now time.Time) (*User, error)
	// SetEmail moves the account to a new address, revokes every session
	// issued up to now and deletes the user's outstanding account tokens, in
	// one step. It returns ErrEmailTaken when another user has the address.
	SetEmail(ctx context.Context, userID, email string, now time.Time) (*User, error)
	// MarkVerified sets IsVerified.
	MarkVerified(ctx context.Context, userID string, now time.Time) (*User, error)
	// UpdateUser applies an operator's patch (BootstrapAdmin promotes with
	// it). Disabling a user (IsActive false) also revokes every session
	// issued up to now and deletes the user's account tokens, in the same
	// step.
	UpdateUser(ctx context.Context, userID string, patch UserPatch, now time.Time) (*User, error)
	// PasswordParams counts the users with a password by the parameter part
	// of their PHC hash string (up to, not including, the salt), e.g.
	// "$argon2id$v=19$m=65536,t=3,p=4": 1200.
	PasswordParams(ctx context.Context) (map[string]int, error)
	// DeleteUser removes the user and everything that belongs to them: the
	// pending registrations and login failures for their email (the
	// attempts under their EmailKey), their account tokens and any other
	// per-user rows.
	DeleteUser(ctx context.Context, userID string) error
}

// Pending are the registrations waiting for their email to be confirmed.
type Pending interface {
	// AddPending stores a new pending registration beside any others for
	// p.Email, first assigning p.ID when it is empty. When another one for
	// the address is still live at p.CreatedAt (its ExpiresAt is after
	// p.CreatedAt), all of them and p are marked Contested in the same step;
	// others that had all expired by then contest nothing, since their links
	// no longer work. p.Contested is set to what was stored. Then only the
	// newest keep rows of the address are kept (keep is at least 2), so one
	// address cannot accumulate rows without bound.
	AddPending(ctx context.Context, p *PendingRegistration, keep int) error
	// PendingByEmail returns the pending registrations for an email, newest
	// first (by CreatedAt, then ID), expired or not; none is not an error.
	PendingByEmail(ctx context.Context, email string) ([]*PendingRegistration, error)
	// RenewPending gives the pending registration id a new token hash and
	// expiry (a re-sent link; the old link stops working). ErrNotFound when
	// it no longer exists.
	RenewPending(ctx context.Context, id, tokenHash string, createdAt, expiresAt time.Time) error
	// ConsumePending deletes and returns the pending registration with the
	// token hash and, in the same step, deletes every other one for its
	// address. The returned registration is Contested when it was marked so
	// or when one of the others deleted with it had not expired at now. Of
	// several concurrent calls for the registrations of one address exactly
	// one gets a row; the others get ErrNotFound. The returned row's own
	// expiry is the caller's check.
	ConsumePending(ctx context.Context, tokenHash string, now time.Time) (*PendingRegistration, error)
}

// AccountTokens are the one-time links mailed to an account.
type AccountTokens interface {
	// CreateAccountToken stores a one-time token and, in the same step,
	// deletes the user's other tokens of the same purpose: only the newest
	// link of each kind works, so live tokens per user stay bounded.
	CreateAccountToken(ctx context.Context, t *AccountToken) error
	// ConsumeAccountToken deletes and returns the token with that hash and
	// purpose if it has not expired at now. Of several concurrent calls for
	// one hash exactly one succeeds; the others get ErrNotFound.
	ConsumeAccountToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*AccountToken, error)
}

// Sessions are the sign-ins and their revocation.
type Sessions interface {
	// RecordLogin records a sign-in: LastLogin = the later of r.At and the
	// stored LastLogin (it never moves back, so a revocation always covers
	// the latest session, however replica clocks differ), UpdatedAt = r.At,
	// and the stored hash replaced by r.Rehash when that is set. It does so only
	// if, in the same atomic step, the account is active, still has
	// r.PasswordHash, and has no session cutoff at or after r.At; otherwise
	// it changes nothing and returns ErrStale. A password change, disable
	// or bulk revocation that commits while the password was being checked
	// therefore always wins (ErrNotFound if the user is gone).
	RecordLogin(ctx context.Context, userID string, r LoginRecord) error
	// RevokeToken records a session token id as logged out until exp.
	// Revoking the same id twice is not an error.
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	// IsTokenRevoked reports whether jti was logged out.
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
	// SessionUser is what every authenticated request needs, in one round
	// trip (one statement on SQL; on MongoDB two finds sent at once): the
	// user userID and whether the session token jti was logged out (as
	// IsTokenRevoked reports it). ErrNotFound for an unknown user,
	// whatever jti is. The caller checks IsActive and the bulk-revocation
	// cutoff (TokensInvalidatedAfter) itself.
	SessionUser(ctx context.Context, userID, jti string) (u *User, revoked bool, err error)
	// RevokeSessions revokes every session of the user issued up to now.
	RevokeSessions(ctx context.Context, userID string, now time.Time) (*User, error)
}

// Attempts (login failures, wrong current passwords, mails sent to one
// address) are counted under a key the caller builds and the store keeps
// as given: an account's EmailKey for password guesses, a prefixed key for
// other counters (see attemptKey in lockout.go).
type Attempts interface {
	// ReserveLoginAttempt records an attempt for key at time at and,
	// in the same atomic step, returns the failures recorded after
	// windowStart. A failure stops counting the moment it is exactly one
	// window old, so a client that waits Retry-After seconds gets in.
	// Recording before checking is what keeps the lockout exact
	// under concurrency: N parallel attempts see N distinct counts.
	ReserveLoginAttempt(ctx context.Context, key string, at, windowStart time.Time) (LoginAttempt, error)
	// LoginFailuresSince returns the attempt times for key after
	// windowStart, oldest first.
	LoginFailuresSince(ctx context.Context, key string, windowStart time.Time) ([]time.Time, error)
	// WithdrawLoginAttempt deletes one reserved attempt (it turned out not to
	// be a failure, or it was refused before the password was checked).
	WithdrawLoginAttempt(ctx context.Context, id int64) error
	// ClearLoginFailures deletes every attempt recorded for key.
	ClearLoginFailures(ctx context.Context, key string) error
}

// Purger deletes what can no longer matter.
type Purger interface {
	// PurgeExpired deletes pending registrations, account tokens and
	// revoked-token rows that expired before now, and attempts recorded at
	// or before attemptsBefore (the start of the longest counting window).
	// It returns how many rows (documents) it deleted.
	PurgeExpired(ctx context.Context, now, attemptsBefore time.Time) (int64, error)
}

// Migration is one schema step (a SQL migration, or a MongoDB index step).
type Migration struct {
	Version int64
	// Name describes the step (the migration's file name or the index
	// step's name).
	Name string
	// Applied reports whether the database has it.
	Applied bool
}

// Migrator drives the schema steps of one database for `regstack migrate`
// and `regstack doctor`. Opening a Migrator must not apply anything.
type Migrator interface {
	// Status lists every known step in order with whether it is applied.
	Status(ctx context.Context) ([]Migration, error)
	// Up applies every pending step and returns the ones it applied.
	Up(ctx context.Context) ([]Migration, error)
	// Down rolls back the most recent step and returns it. A backend whose
	// steps cannot be undone returns an error that says so.
	Down(ctx context.Context) (Migration, error)
	// Close releases the connection.
	Close() error
}
