// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/store"
)

// The errors the domain methods (Authenticate, ChangePassword, Logout, ...)
// return. Test for them with errors.Is; a lockout is a *LockedError, which
// also matches ErrLocked and tells how long it lasts. Any other error is
// unexpected (a database failure, say) and is best logged and answered as a
// server error.
//
// Several of them deliberately say little: ErrInvalidCredentials is the
// one answer for an unknown address, an account without a password and a
// wrong password, so whoever receives it learns nothing more.
//
// The errors of an optional flow are declared in that flow's file, the same
// way.
var (
	// ErrInvalidCredentials: the address and password do not sign in.
	ErrInvalidCredentials = newError("auth: invalid email or password", http.StatusUnauthorized, "Invalid email or password.")
	// ErrDisabled: the password is right but the account is disabled.
	ErrDisabled = newError("auth: account is disabled", http.StatusForbidden, "Account is disabled.")
	// ErrNotVerified: the password is right but the address is not
	// verified yet, and require_verification is on.
	ErrNotVerified = newError("auth: email address has not been verified", http.StatusForbidden, "Email address has not been verified.")
	// ErrWrongPassword: the current password given to confirm a change is
	// wrong (it counts against the lockout like a failed sign-in).
	ErrWrongPassword = newError("auth: current password is incorrect", http.StatusBadRequest, "Current password is incorrect.")
	// ErrNoPassword: the account has no password (it signs in another way),
	// so a change that needs the current password cannot be confirmed.
	ErrNoPassword = newError("auth: no password set on this account", http.StatusBadRequest,
		"No password set on this account. Use forgot-password to set one before changing account details.")
	// ErrSamePassword: the new password is the current one.
	ErrSamePassword = newError("auth: new password must differ from the current password", http.StatusBadRequest,
		"New password must differ from the current password.")
	// ErrAuthRequired: no session token was presented.
	ErrAuthRequired = &Error{msg: "auth: authentication required", status: http.StatusUnauthorized,
		detail: "Authentication required.", bearerChallenge: true}
	// ErrInvalidToken: the session token is not (or no longer) valid, or
	// its account is gone. Every refusal of a session is this one error.
	ErrInvalidToken = &Error{msg: "auth: invalid or expired token", status: http.StatusUnauthorized,
		detail: "Invalid or expired token.", bearerChallenge: true}
	// ErrLocked matches every *LockedError.
	ErrLocked = errors.New("auth: too many failed attempts")
	// ErrBusy: the password hasher stayed saturated for longer than
	// password_hash_max_wait_ms; nothing happened and the call can simply
	// be retried.
	ErrBusy = password.ErrBusy
)

// Error is an expected refusal of a domain method. Each value is one
// sentinel (compare with errors.Is) and carries the HTTP answer writeError
// gives it, so the status and detail of an error are declared next to it.
type Error struct {
	msg    string
	status int
	detail string
	// bearerChallenge adds "WWW-Authenticate: Bearer": the session token
	// is missing or refused.
	bearerChallenge bool
}

func newError(msg string, status int, detail string) *Error {
	return &Error{msg: msg, status: status, detail: detail}
}

func (e *Error) Error() string { return e.msg }

// Status is the HTTP status the JSON API answers this error with.
func (e *Error) Status() int { return e.status }

// Detail is the "detail" text the JSON API answers this error with.
func (e *Error) Detail() string { return e.detail }

// LockedError is the answer while an account is locked after too many
// failed password checks (lockout.go). errors.Is(err, ErrLocked) is true for
// it; errors.As gives RetryAfter, the time until the lockout ends, in whole
// seconds.
type LockedError struct {
	RetryAfter time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("auth: too many failed attempts; try again in %d seconds", e.seconds())
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

func (e *LockedError) seconds() int { return int(e.RetryAfter / time.Second) }

// answerer is a refusal whose answer depends on the call (how many tries
// are left, how long to wait), so it is a type of its own rather than an
// *Error value. A positive retryAfter adds the Retry-After header.
type answerer interface {
	error
	answer() (status int, detail string, retryAfter time.Duration)
}

// writeError is the one place an error of a domain method becomes an HTTP
// answer: status, detail and headers. Every handler calls the method and
// hands any error here, so the same error always gets the same answer.
// Errors it does not know are logged and answered 500 (503 while the
// database cannot be reached: serverError).
func (a *Auth) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		known  *Error
		locked *LockedError
		other  answerer
	)
	switch {
	case errors.As(err, &known):
		if known.bearerChallenge {
			w.Header().Set("WWW-Authenticate", "Bearer")
		}
		writeDetail(w, known.status, known.detail)
	case errors.As(err, &locked):
		w.Header().Set("Retry-After", strconv.Itoa(locked.seconds()))
		writeDetail(w, http.StatusTooManyRequests, fmt.Sprintf("Too many failed attempts. Try again in %d seconds.", locked.seconds()))
	case errors.As(err, &other):
		status, detail, retryAfter := other.answer()
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
		}
		writeDetail(w, status, detail)
	case errors.Is(err, ErrBusy):
		writeBusy(w)
	default:
		a.serverError(w, r, err)
	}
}

// accountGone turns the signed-in account disappearing mid-call (deleted in
// another tab) into ErrInvalidToken: its session is no longer valid.
func accountGone(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidToken
	}
	return err
}

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the address of the client a call is
// made for. The domain methods never decide anything by it (the lockout
// counts per account, not per address); they put it in the log lines and
// in the LoginFailed and AccountLocked events, so an operator can see where
// an attack comes from. The HTTP handlers set it from the request (the
// peer, or the forwarded address behind a trusted proxy: ratelimit.go); a
// host calling Authenticate from its own handler should set it the same way.
func WithClientAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// clientFrom is the client address of ctx for logs and events; "" when the
// caller did not give one.
func clientFrom(ctx context.Context) string {
	addr, ok := ctx.Value(clientAddrKey{}).(netip.Addr)
	if !ok {
		return ""
	}
	return addr.String()
}

// requestContext is r's context with its client address (WithClientAddr):
// what a handler passes to a domain method.
func (a *Auth) requestContext(r *http.Request) context.Context {
	return WithClientAddr(r.Context(), clientAddr(r, a.limiter.trusted))
}
