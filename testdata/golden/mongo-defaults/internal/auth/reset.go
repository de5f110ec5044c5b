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

// POST /forgot-password {"email"}
//
// Always 202 with the same body, and the email goes out in the background,
// so neither the answer nor its timing says whether the address has an
// account. Accounts without a password get a link too: that is how a
// Google-only account sets its first password.
func (a *Auth) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	var email string
	if !a.decodeBody(w, r, emailField("email", &email)) {
		return
	}
	if err := a.requestReset(r.Context(), email); err != nil {
		a.serverError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, "If an account exists for that email, a reset link has been sent.")
}

func (a *Auth) requestReset(ctx context.Context, email string) error {
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
	url := a.link(linkReset, raw)
	a.sendBudgeted(ctx, mail.KindPasswordReset, u.Email, mail.Data{AppName: a.cfg.AppName, FullName: a.mailName(u), URL: url, TTLMinutes: ttlMinutes(ttl)})
	a.emit(ctx, PasswordResetRequested{User: snapshot(u), URL: url, URLWithoutToken: redactToken(url, raw)})
	return nil
}

// POST /reset-password {"token", "new_password"}
//
// The token is single-use (taken atomically), and setting the password
// signs out every session and kills the user's other reset and
// email-change links.
func (a *Auth) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var token, next string
	if !a.decodeBody(w, r, stringField("token", &token), newPasswordField("new_password", &next)) {
		return
	}
	ctx := r.Context()
	// A hashing slot is taken before the token is consumed, so a busy
	// hasher answers 503 without burning the user's link
	// (TestResetBusyHasherKeepsToken); the hash itself runs only once the
	// token proved good, so guessing tokens costs no Argon2 work.
	slot, err := a.hasher.Reserve(ctx)
	if err != nil {
		a.failed(w, r, err)
		return
	}
	defer slot.Release()
	_, u, ok := a.redeemAccountToken(w, r, token, store.PurposePasswordReset, a.now(),
		"Reset token is invalid or has expired.", "Reset token does not match an active account.")
	if !ok {
		return
	}
	hash, err := slot.Hash(next)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if u, err = a.store.SetPassword(ctx, u.ID, hash, a.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeDetail(w, http.StatusBadRequest, "Reset token does not match an active account.")
			return
		}
		a.serverError(w, r, err)
		return
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(ctx, PasswordResetCompleted{User: snapshot(u)})
	writeMessage(w, http.StatusOK, "Password has been reset. Please sign in.")
}
