// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"fmt"
	"strings"

	"example.com/demo/internal/auth/store"
)

// Event is something that happened to an account. Subscribe with
// WithEventHandler and switch on the concrete type:
//
//	auth.WithEventHandler(func(ctx context.Context, e auth.Event) error {
//		if e, ok := e.(auth.UserRegistered); ok {
//			welcome(e.User.Email)
//		}
//		return nil
//	})
type Event interface {
	// EventName is the event's stable name, e.g. "user_registered".
	EventName() string
}

// EventHandler reacts to an event. Handlers run synchronously before the
// response is written; an error or a panic is logged and never changes the
// response, so a broken handler cannot break sign-in.
type EventHandler func(ctx context.Context, e Event) error

// The User in an event is a copy taken after the state change: changing it
// changes nothing stored.
type (
	// UserRegistered: an account was created without email verification.
	UserRegistered struct{ User *store.User }
	// VerificationRequested: a verification link was emailed to Email.
	// URLWithoutToken is URL with the token replaced by [REDACTED], for logs.
	VerificationRequested struct{ Email, URL, URLWithoutToken string }
	// UserVerified: an emailed verification link was followed.
	UserVerified struct{ User *store.User }
	// UserLoggedIn: a session was issued.
	UserLoggedIn struct{ User *store.User }
	// LoginFailed: a password was refused, at /login or as the
	// current_password of a signed-in user (Reason says which and why).
	// User is nil when the address has no account. The password is never
	// in the event.
	LoginFailed struct {
		Email, Reason, ClientAddr string
		User                      *store.User
	}
	// AccountLocked: the failure that reached login_lockout_threshold;
	// password checks for Email are refused for the lockout window. User is
	// nil when the address has no account.
	AccountLocked struct {
		Email, ClientAddr string
		User              *store.User
		Failures          int
	}
	// MailSuppressed: a mail with a link to To was not sent because the
	// address's budget (email.max_per_address_per_hour) is used up. The
	// answer to the request was the usual one.
	MailSuppressed struct{ Kind, To string }
	// UserLoggedOut: a session token was revoked by its holder.
	UserLoggedOut struct{ User *store.User }
	// PasswordResetRequested: a reset link was emailed to the user.
	PasswordResetRequested struct {
		User                 *store.User
		URL, URLWithoutToken string
	}
	// PasswordResetCompleted: a reset link was used to set a new password.
	PasswordResetCompleted struct{ User *store.User }
	// PasswordChanged: the signed-in user changed their password.
	PasswordChanged struct{ User *store.User }
	// EmailChangeRequested: a confirmation link was emailed to NewEmail.
	EmailChangeRequested struct {
		User                           *store.User
		NewEmail, URL, URLWithoutToken string
	}
	// EmailChanged: the account moved from PreviousEmail to User.Email.
	EmailChanged struct {
		User          *store.User
		PreviousEmail string
	}
	// UserDeleted: the account and everything belonging to it were deleted
	// (by its owner, or by an administrator, together with AdminUserDeleted).
	UserDeleted struct{ User *store.User }

	// The SMS second factor's events never carry a code.

	// PhoneSetupStarted: a code was sent to Phone, which User is enrolling.
	PhoneSetupStarted struct {
		User  *store.User
		Phone string
	}
	// MFAEnabled: User confirmed a number; sign-ins now ask for a code.
	MFAEnabled struct{ User *store.User }
	// MFADisabled: SMS codes were switched off for User (by the user, or by
	// an administrator: AdminUserUpdated fires too).
	MFADisabled struct{ User *store.User }
	// MFALoginStarted: User's password was right and a sign-in code was
	// sent.
	MFALoginStarted struct{ User *store.User }
	// MFALoginCompleted: User's sign-in code was right; UserLoggedIn fires
	// too.
	MFALoginCompleted struct{ User *store.User }
	// MFALoginFailed: a sign-in code was refused. Reason is the outcome:
	// "wrong", "expired", "locked" or "missing".
	MFALoginFailed struct {
		User               *store.User
		Reason, ClientAddr string
	}

	// The admin events name the administrator who acted, so a handler can
	// keep an audit log.

	// AdminUserUpdated: Admin changed User (as it is now). Changes holds
	// the fields the request set; nil fields were left alone.
	AdminUserUpdated struct {
		Admin, User *store.User
		Changes     store.UserPatch
	}
	// AdminUserDeleted: Admin deleted User and everything belonging to it.
	AdminUserDeleted struct{ Admin, User *store.User }
	// AdminSessionsRevoked: Admin signed User out everywhere.
	AdminSessionsRevoked struct{ Admin, User *store.User }
	// AdminVerificationResent: Admin had a new verification link emailed to
	// User (VerificationRequested fires too, with the link).
	AdminVerificationResent struct{ Admin, User *store.User }
)

func (UserRegistered) EventName() string          { return "user_registered" }
func (VerificationRequested) EventName() string   { return "verification_requested" }
func (UserVerified) EventName() string            { return "user_verified" }
func (UserLoggedIn) EventName() string            { return "user_logged_in" }
func (UserLoggedOut) EventName() string           { return "user_logged_out" }
func (LoginFailed) EventName() string             { return "login_failed" }
func (AccountLocked) EventName() string           { return "account_locked" }
func (MailSuppressed) EventName() string          { return "mail_suppressed" }
func (PasswordResetRequested) EventName() string  { return "password_reset_requested" }
func (PasswordResetCompleted) EventName() string  { return "password_reset_completed" }
func (PasswordChanged) EventName() string         { return "password_changed" }
func (EmailChangeRequested) EventName() string    { return "email_change_requested" }
func (EmailChanged) EventName() string            { return "email_changed" }
func (UserDeleted) EventName() string             { return "user_deleted" }
func (PhoneSetupStarted) EventName() string       { return "phone_setup_started" }
func (MFAEnabled) EventName() string              { return "mfa_enabled" }
func (MFADisabled) EventName() string             { return "mfa_disabled" }
func (MFALoginStarted) EventName() string         { return "mfa_login_started" }
func (MFALoginCompleted) EventName() string       { return "mfa_login_completed" }
func (MFALoginFailed) EventName() string          { return "mfa_login_failed" }
func (AdminUserUpdated) EventName() string        { return "admin_user_updated" }
func (AdminUserDeleted) EventName() string        { return "admin_user_deleted" }
func (AdminSessionsRevoked) EventName() string    { return "admin_sessions_revoked" }
func (AdminVerificationResent) EventName() string { return "admin_verification_resent" }

// emit runs every handler in order. It is called after the state change and
// before the response.
func (a *Auth) emit(ctx context.Context, e Event) {
	for i, h := range a.handlers {
		a.runHandler(ctx, i, h, e)
	}
}

func (a *Auth) runHandler(ctx context.Context, i int, h EventHandler, e Event) {
	defer func() {
		if v := recover(); v != nil {
			a.logger.ErrorContext(ctx, "auth: event handler panicked", "event", e.EventName(), "handler", i, "panic", fmt.Sprint(v))
		}
	}()
	if err := h(ctx, e); err != nil {
		a.logger.ErrorContext(ctx, "auth: event handler failed", "event", e.EventName(), "handler", i, "err", err)
	}
}

// snapshot copies u for an event, so a handler cannot alter the caller's
// value by accident.
func snapshot(u *store.User) *store.User {
	c := *u
	if u.FullName != nil {
		name := *u.FullName
		c.FullName = &name
	}
	return &c
}

// redactToken replaces the token in an emailed link, for events and logs.
func redactToken(url, token string) string {
	return strings.ReplaceAll(url, token, "[REDACTED]")
}
