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

// ErrSameEmail: the new address is the account's current one.
var ErrSameEmail = newError("auth: new email is the same as the current email", http.StatusBadRequest,
	"New email is the same as the current email.")

// POST /change-email {"new_email", "current_password"} (bearer)
func (a *Auth) handleChangeEmail(w http.ResponseWriter, r *http.Request, s *session) {
	var newEmail, current string
	if !a.decodeBody(w, r, emailField("new_email", &newEmail), stringField("current_password", &current)) {
		return
	}
	if err := a.ChangeEmail(a.requestContext(r), s.user, newEmail, current); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, "A confirmation link has been sent to the new email address.")
}

// ChangeEmail starts moving u, the signed-in user, to newEmail once current
// proves the password, as POST /change-email does: it emails a single-use
// confirmation link to the new address, and the account keeps its current
// address until the link is followed (POST /confirm-email-change). newEmail
// must already be a valid, normalised address (the JSON API checks it while
// decoding the request: emailaddr).
//
// When another account already has the new address nothing is sent, but
// the result is the same nil error: the answer does not tell who has an
// account.
//
// Errors: ErrSameEmail, ErrNoPassword, ErrWrongPassword (counted against
// the lockout), a *LockedError while the account is locked, ErrBusy.
func (a *Auth) ChangeEmail(ctx context.Context, u *store.User, newEmail, current string) error {
	if store.EmailKey(newEmail) == store.EmailKey(u.Email) {
		return ErrSameEmail
	}
	if err := a.confirmPassword(ctx, u, current); err != nil {
		return err
	}
	switch _, err := a.store.UserByEmail(ctx, newEmail); {
	case err == nil:
		a.logger.InfoContext(ctx, "auth: email change to an address in use skipped", "user", u.ID)
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	raw, hash := newOneTimeToken()
	now := a.now()
	ttl := a.cfg.EmailChangeTokenTTLSeconds
	t := &store.AccountToken{
		TokenHash: hash,
		UserID:    u.ID,
		Purpose:   store.PurposeEmailChange,
		NewEmail:  newEmail,
		Email:     u.Email,
		CreatedAt: now,
		ExpiresAt: now.Add(seconds(ttl)),
	}
	if err := a.store.CreateAccountToken(ctx, t); err != nil {
		return err
	}
	url := a.link(linkEmailChange, a.cfg.EmailChangeURLTemplate, raw)
	// The new address is not verified yet: the mail carries no name the
	// account holder typed (see mail/templates).
	a.sendBudgeted(ctx, mail.KindEmailChange, newEmail, mail.Data{
		AppName:       a.cfg.AppName,
		URL:           url,
		NewEmail:      newEmail,
		PreviousEmail: u.Email,
		TTLMinutes:    ttlMinutes(ttl),
	})
	a.emit(ctx, EmailChangeRequested{User: snapshot(u), NewEmail: newEmail, URL: url, URLWithoutToken: redactToken(url, raw)})
	return nil
}

// Errors of ConfirmEmailChange.
var (
	// ErrEmailChangeTokenInvalid: the token is unknown, used, expired, or
	// was issued while the account had another address.
	ErrEmailChangeTokenInvalid = newError("auth: email change token is invalid", http.StatusBadRequest,
		"Token is invalid or has expired.")
	// ErrEmailChangeTokenInactive: the token's account is gone or disabled.
	ErrEmailChangeTokenInactive = newError("auth: email change token's account is not active", http.StatusBadRequest,
		"Token does not match an active account.")
	// ErrNewEmailTaken: another account took the new address since the link
	// was mailed.
	ErrNewEmailTaken = newError("auth: new email address already in use", http.StatusConflict,
		"That email address is already in use.")
)

// POST /confirm-email-change {"token"} (public: the emailed token is the
// credential)
func (a *Auth) handleConfirmEmailChange(w http.ResponseWriter, r *http.Request) {
	var token string
	if !a.decodeBody(w, r, stringField("token", &token)) {
		return
	}
	u, err := a.ConfirmEmailChange(a.requestContext(r), token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

// ConfirmEmailChange follows an emailed email-change link (token is its
// token) and returns the account at its new address, as POST
// /confirm-email-change does. It signs out every session and tells the
// previous address, so a hijacked session cannot quietly take the account
// over.
//
// Errors: ErrEmailChangeTokenInvalid, ErrEmailChangeTokenInactive,
// ErrNewEmailTaken.
func (a *Auth) ConfirmEmailChange(ctx context.Context, token string) (*store.User, error) {
	now := a.now()
	t, u, err := a.redeemAccountToken(ctx, token, store.PurposeEmailChange, now,
		ErrEmailChangeTokenInvalid, ErrEmailChangeTokenInactive)
	if err != nil {
		return nil, err
	}
	previous := u.Email
	u, err = a.store.SetEmail(ctx, u.ID, t.NewEmail, now)
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		return nil, ErrNewEmailTaken
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrEmailChangeTokenInactive
	case err != nil:
		return nil, err
	}
	if err := a.clearFailures(ctx, previous); err != nil {
		return nil, err
	}
	a.mail.send(mail.KindEmailChanged, previous, mail.Data{
		AppName:       a.cfg.AppName,
		FullName:      a.mailName(u),
		NewEmail:      u.Email,
		PreviousEmail: previous,
	})
	a.emit(ctx, EmailChanged{User: snapshot(u), PreviousEmail: previous})
	return u, nil
}

// mailName is the name to greet u with in a mail: only when the address
// was proven by an emailed link. Otherwise the name is text whoever created
// the account typed (with require_verification = false anyone can create
// an account for any address, and it counts as verified), and a mail must
// not carry it to an inbox that never asked for the account.
// TestNoNameInMailsToUnprovenAddresses.
func (a *Auth) mailName(u *store.User) string {
	if u.FullName == nil || !u.IsVerified || !a.cfg.RequireVerification {
		return ""
	}
	return *u.FullName
}
