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
	"time"
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
)

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
// There is at most one per email address.
type PendingRegistration struct {
	ID           string
	Email        string
	PasswordHash string
	FullName     *string
	// TokenHash is the lowercase hex SHA-256 of the emailed token.
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Purposes of one-time account tokens.
const (
	PurposePasswordReset = "password_reset"
	PurposeEmailChange   = "email_change"
)

// AccountToken is a single-use credential sent by email: a password reset
// or an email change. Only the hash of the raw token is stored.
type AccountToken struct {
	TokenHash string
	UserID    string
	Purpose   string
	// NewEmail is the address an email-change token moves the account to.
	NewEmail  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginAttempt is the outcome of ReserveLoginAttempt.
type LoginAttempt struct {
	// ID identifies the recorded failure so it can be withdrawn.
	ID int64
	// Recent are the times of the failures recorded for the email after the
	// window start, including this one, oldest first.
	Recent []time.Time
}

// Stats are the numbers behind the admin dashboard.
type Stats struct {
	TotalUsers    int
	ActiveUsers   int
	VerifiedUsers int
	Superusers    int
	// PendingRegistrations counts only those that have not expired.
	PendingRegistrations int
}

// ListUsersParams selects one page of users, newest first.
type ListUsersParams struct {
	// EmailPrefix keeps users whose email starts with it, compared
	// case-insensitively; "" keeps everyone.
	EmailPrefix string
	Skip        int
	Limit       int
}

// UserPatch is an operator's change to a user; nil fields stay as they are.
type UserPatch struct {
	IsActive    *bool
	IsSuperuser *bool
	FullName    *string
}

// Store is the persistence the account system needs.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the connection pool.
	Close() error

	// CreateUser inserts u, first assigning u.ID when it is empty (the id's
	// form is the backend's). It returns ErrEmailTaken when the email is in
	// use by another user, compared case-insensitively.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns ErrNotFound for an unknown id of any shape.
	UserByID(ctx context.Context, id string) (*User, error)
	// UserByEmail looks the email up case-insensitively.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// SetFullName sets or clears (nil) the full name.
	SetFullName(ctx context.Context, userID string, fullName *string, now time.Time) (*User, error)
	// SetPassword stores a new hash, revokes every session issued up to now
	// (TokensInvalidatedAfter = now) and deletes the user's outstanding
	// account tokens, in one step.
	SetPassword(ctx context.Context, userID, passwordHash string, now time.Time) (*User, error)
	// SetEmail moves the account to a new address and revokes every session
	// issued up to now. It returns ErrEmailTaken when another user has it.
	SetEmail(ctx context.Context, userID, email string, now time.Time) (*User, error)
	// MarkVerified sets IsVerified.
	MarkVerified(ctx context.Context, userID string, now time.Time) (*User, error)
	// RecordLogin sets LastLogin.
	RecordLogin(ctx context.Context, userID string, at time.Time) error
	// DeleteUser removes the user and everything that belongs to them: the
	// pending registration and login failures for their email, their account
	// tokens and any other per-user rows.
	DeleteUser(ctx context.Context, userID string) error

	// UpsertPending replaces any pending registration for p.Email
	// (compared case-insensitively), first assigning p.ID when it is empty.
	UpsertPending(ctx context.Context, p *PendingRegistration) error
	// PendingByEmail returns the pending registration for an email
	// (case-insensitively), expired or not.
	PendingByEmail(ctx context.Context, email string) (*PendingRegistration, error)
	// ConsumePending deletes and returns the pending registration with the
	// token hash. Of several concurrent calls for one hash exactly one gets
	// the row; the others get ErrNotFound. Expiry is the caller's check.
	ConsumePending(ctx context.Context, tokenHash string) (*PendingRegistration, error)

	// CreateAccountToken stores a one-time token.
	CreateAccountToken(ctx context.Context, t *AccountToken) error
	// ConsumeAccountToken deletes and returns the token with that hash and
	// purpose if it has not expired at now. Of several concurrent calls for
	// one hash exactly one succeeds; the others get ErrNotFound.
	ConsumeAccountToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*AccountToken, error)

	// RevokeToken records a session token id as logged out until exp.
	// Revoking the same id twice is not an error.
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	// IsTokenRevoked reports whether jti was logged out.
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)

	// Login failures are keyed by email compared case-insensitively.
	//
	// ReserveLoginAttempt records a login failure for email at time at and,
	// in the same atomic step, returns the failures recorded after
	// windowStart. A failure stops counting the moment it is exactly one
	// window old, so a client that waits Retry-After seconds gets in.
	// Recording before checking is what keeps the lockout exact
	// under concurrency: N parallel attempts see N distinct counts.
	ReserveLoginAttempt(ctx context.Context, email string, at, windowStart time.Time) (LoginAttempt, error)
	// LoginFailuresSince returns the failure times for email after
	// windowStart, oldest first.
	LoginFailuresSince(ctx context.Context, email string, windowStart time.Time) ([]time.Time, error)
	// WithdrawLoginAttempt deletes one reserved attempt (it turned out not to
	// be a failure, or it was refused before the password was checked).
	WithdrawLoginAttempt(ctx context.Context, id int64) error
	// ClearLoginFailures deletes every failure recorded for email.
	ClearLoginFailures(ctx context.Context, email string) error

	// Stats counts users by status, and the pending registrations that have
	// not expired at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)
	// ListUsers returns one page of users ordered by CreatedAt descending
	// (ties by ID), and how many users match in total.
	ListUsers(ctx context.Context, p ListUsersParams) ([]*User, int, error)
	// UpdateUser applies an operator's patch. Disabling a user (IsActive
	// false) also revokes every session issued up to now, in the same step.
	UpdateUser(ctx context.Context, userID string, patch UserPatch, now time.Time) (*User, error)
	// RevokeSessions revokes every session of the user issued up to now
	// (TokensInvalidatedAfter = now).
	RevokeSessions(ctx context.Context, userID string, now time.Time) (*User, error)

	// PurgeExpired deletes expired pending registrations, account tokens and
	// revoked-token rows, and login failures at or before loginWindowStart.
	PurgeExpired(ctx context.Context, now, loginWindowStart time.Time) error
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
