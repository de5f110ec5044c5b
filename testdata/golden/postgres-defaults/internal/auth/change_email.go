// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"net/http"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/store"
)

// POST /change-email {"new_email", "current_password"} (bearer)
//
// Emails a single-use confirmation link to the new address; the account
// keeps its current address until the link is followed. When another
// account already has the new address nothing is sent, but the answer is the
// same 202, so this route cannot be used to find out who has an account.
func (a *Auth) handleChangeEmail(w http.ResponseWriter, r *http.Request, s *session) {
	var newEmail, current string
	if !a.decodeBody(w, r, emailField("new_email", &newEmail), stringField("current_password", &current)) {
		return
	}
	u := s.user
	if store.EmailKey(newEmail) == store.EmailKey(u.Email) {
		writeDetail(w, http.StatusBadRequest, "New email is the same as the current email.")
		return
	}
	if !a.confirmPassword(w, r, u, current) {
		return
	}
	ctx := r.Context()
	switch _, err := a.store.UserByEmail(ctx, newEmail); {
	case err == nil:
		a.logger.InfoContext(ctx, "auth: email change to an address in use skipped", "user", u.ID)
		writeMessage(w, http.StatusAccepted, "A confirmation link has been sent to the new email address.")
		return
	case !errors.Is(err, store.ErrNotFound):
		a.serverError(w, r, err)
		return
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
		a.serverError(w, r, err)
		return
	}
	url := a.link(linkEmailChange, raw)
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
	writeMessage(w, http.StatusAccepted, "A confirmation link has been sent to the new email address.")
}

// POST /confirm-email-change {"token"} (public: the emailed token is the
// credential)
//
// Moves the account to the new address, signs out every session and tells
// the previous address, so a hijacked session cannot quietly take the
// account over.
func (a *Auth) handleConfirmEmailChange(w http.ResponseWriter, r *http.Request) {
	var token string
	if !a.decodeBody(w, r, stringField("token", &token)) {
		return
	}
	ctx := r.Context()
	now := a.now()
	t, u, ok := a.redeemAccountToken(w, r, token, store.PurposeEmailChange, now,
		"Token is invalid or has expired.", "Token does not match an active account.")
	if !ok {
		return
	}
	previous := u.Email
	u, err := a.store.SetEmail(ctx, u.ID, t.NewEmail, now)
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		writeDetail(w, http.StatusConflict, "That email address is already in use.")
		return
	case errors.Is(err, store.ErrNotFound):
		writeDetail(w, http.StatusBadRequest, "Token does not match an active account.")
		return
	case err != nil:
		a.serverError(w, r, err)
		return
	}
	if err := a.clearFailures(ctx, previous); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.mail.send(mail.KindEmailChanged, previous, mail.Data{
		AppName:       a.cfg.AppName,
		FullName:      a.mailName(u),
		NewEmail:      u.Email,
		PreviousEmail: previous,
	})
	a.emit(ctx, EmailChanged{User: snapshot(u), PreviousEmail: previous})
	writeJSON(w, http.StatusOK, NewUserPublic(u))
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
