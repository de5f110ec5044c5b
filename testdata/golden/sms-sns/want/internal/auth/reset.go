// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/store"
)

// Errors of ResetPassword.
var (
	// ErrResetTokenInvalid: the reset token is unknown, used, expired, or
	// was mailed to an address the account no longer has.
	ErrResetTokenInvalid = newError("auth: reset token is invalid", http.StatusBadRequest,
		"Reset token is invalid or has expired.")
	// ErrResetTokenInactive: the token's account is gone or disabled.
	ErrResetTokenInactive = newError("auth: reset token's account is not active", http.StatusBadRequest,
		"Reset token does not match an active account.")
)

// linkReset is the reset link's path under email_link_prefix (tokens.go).
const linkReset = "/reset"

// POST /forgot-password {"email"}
func (a *Auth) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	var email string
	if !a.decodeBody(w, r, emailField("email", &email)) {
		return
	}
	if err := a.RequestPasswordReset(a.requestContext(r), email); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, "If an account exists for that email, a reset link has been sent.")
}

// RequestPasswordReset mails a password reset link to the account of
// email, as POST /forgot-password does. It returns nil whatever the
// address, so the answer does not say whether the address has an account
// (TestForgotPasswordIsAntiEnumerated); only unexpected errors are returned.
// The email goes out in the background, but for an existing account the
// request still stores the token first: one database write, which a
// client timing many requests might tell apart from none. Accounts without a password get a link too: that is
// how a Google-only account sets its first password.
func (a *Auth) RequestPasswordReset(ctx context.Context, email string) error {
	u, err := a.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !u.IsActive {
		return nil
	}
	return a.mailResetLink(ctx, u)
}

// mailResetLink stores a new reset token for u (the user's older one stops
// working) and emails the link to u's address, within its mail budget.
func (a *Auth) mailResetLink(ctx context.Context, u *store.User) error {
	raw, hash := newOneTimeToken()
	now := a.now()
	ttl := a.cfg.PasswordResetTokenTTLSeconds
	t := &store.AccountToken{
		TokenHash: hash,
		UserID:    u.ID,
		Purpose:   store.PurposePasswordReset,
		Email:     u.Email,
		CreatedAt: now,
		ExpiresAt: now.Add(seconds(ttl)),
	}
	if err := a.store.CreateAccountToken(ctx, t); err != nil {
		return err
	}
	url := a.link(linkReset, a.cfg.PasswordResetURLTemplate, raw)
	a.sendBudgeted(ctx, mail.KindPasswordReset, u.Email, mail.Data{AppName: a.cfg.AppName, FullName: a.mailName(u), URL: url, TTLMinutes: ttlMinutes(ttl)})
	a.emit(ctx, PasswordResetRequested{User: snapshot(u), URL: url, URLWithoutToken: redactToken(url, raw)})
	return nil
}

// POST /reset-password {"token", "new_password"}
func (a *Auth) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var token, next string
	if !a.decodeBody(w, r, stringField("token", &token), newPasswordField("new_password", &next)) {
		return
	}
	if err := a.ResetPassword(a.requestContext(r), token, next); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Password has been reset. Please sign in.")
}

// ResetPassword sets a new password with the token of an emailed reset
// link, as POST /reset-password does. next must already satisfy the
// password rules (8 to 128 characters). The token is single-use (taken
// atomically: TestResetTokenSingleUseUnderConcurrency), and setting the password signs out every session and kills
// the user's other reset and email-change links.
//
// Errors: ErrResetTokenInvalid, ErrResetTokenInactive, ErrBusy (the token
// is then still good).
func (a *Auth) ResetPassword(ctx context.Context, token, next string) error {
	// A hashing slot is taken before the token is consumed, so a busy
	// hasher answers ErrBusy without burning the user's link
	// (TestResetBusyHasherKeepsToken); the hash itself runs only once the
	// token proved good, so guessing tokens costs no Argon2 work.
	slot, err := a.hasher.Reserve(ctx)
	if err != nil {
		return err
	}
	defer slot.Release()
	_, u, err := a.redeemAccountToken(ctx, token, store.PurposePasswordReset, a.now(),
		ErrResetTokenInvalid, ErrResetTokenInactive)
	if err != nil {
		return err
	}
	hash, err := slot.Hash(next)
	if err != nil {
		return err
	}
	if u, err = a.store.SetPassword(ctx, u.ID, hash, a.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrResetTokenInactive
		}
		return err
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return err
	}
	a.emit(ctx, PasswordResetCompleted{User: snapshot(u)})
	return nil
}
