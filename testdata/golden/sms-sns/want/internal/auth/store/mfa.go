// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package store

import (
	"context"
	"errors"
	"time"
)

// Kinds of SMS codes. A user has at most one live code of each kind.
const (
	// MFAKindPhoneSetup is the code sent to a number being enrolled.
	MFAKindPhoneSetup = "phone_setup"
	// MFAKindLogin is the code of the second sign-in step.
	MFAKindLogin = "login_mfa"
)

// ErrCooldown means PutMFACode found a code of the same kind issued too
// recently to be replaced; the returned code is that one.
var ErrCooldown = errors.New("store: a code was issued too recently")

// MFACode is a one-time SMS code. Only the SHA-256 of the code is stored.
type MFACode struct {
	UserID string
	// Kind is MFAKindPhoneSetup or MFAKindLogin.
	Kind string
	// CodeHash is the lowercase hex SHA-256 of the code.
	CodeHash string
	// PendingID is the jti of the pending token the code was issued with:
	// the code only completes the step that token stands for, so a code
	// sent for one sign-in never completes another.
	PendingID string
	// Phone is the number the code was sent to.
	Phone string
	// Attempts counts the checks made against the code so far (right or
	// wrong); MaxAttempts is how many it allows.
	Attempts    int
	MaxAttempts int
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// MFACodes are the SMS second factor: the one-time codes and the phone
// number on the account.
type MFACodes interface {
	// PutMFACode stores c, replacing the user's code of the same kind, in
	// one step. If that code was created after notBefore it is kept, and
	// PutMFACode returns it with ErrCooldown (a zero notBefore never
	// refuses). Unique per (UserID, Kind): of concurrent calls for one user
	// and kind, at most one succeeds while the cooldown holds.
	PutMFACode(ctx context.Context, c *MFACode, notBefore time.Time) (*MFACode, error)
	// ReserveMFAAttempt counts one check against the user's code of kind
	// issued with pendingID, if at now it has not expired and has attempts
	// left, and returns the code as it is after the count with reserved
	// true. Otherwise it changes nothing and returns the stored code with
	// reserved false, for the caller to tell expired from exhausted.
	// ErrNotFound when the user has no code of that kind issued with
	// pendingID. Counting before comparing is what bounds the guesses:
	// N concurrent checks against a code with k attempts left reserve at
	// most k.
	ReserveMFAAttempt(ctx context.Context, userID, kind, pendingID string, now time.Time) (c *MFACode, reserved bool, err error)
	// DeleteMFACode deletes the user's code of kind if it is still the one
	// issued with pendingID. Of concurrent calls exactly one succeeds; the
	// others (and a call for a replaced or missing code) get ErrNotFound.
	DeleteMFACode(ctx context.Context, userID, kind, pendingID string) error
	// EnableMFA sets the user's phone number and IsMFAEnabled, and deletes
	// their codes, in one step.
	EnableMFA(ctx context.Context, userID, phone string, now time.Time) (*User, error)
	// DisableMFA clears the phone number and IsMFAEnabled and deletes the
	// user's codes, in one step; with revokeSessions it also revokes every
	// session issued up to now (as RevokeSessions does). Disabling a user
	// without MFA is not an error.
	DisableMFA(ctx context.Context, userID string, now time.Time, revokeSessions bool) (*User, error)
}
