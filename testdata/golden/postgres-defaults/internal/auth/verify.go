// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// POST /verify {"token"}
//
// Turns a pending registration into an account. The token is single-use:
// the pending row is taken atomically, so of two concurrent uses exactly one
// succeeds.
func (a *Auth) handleVerify(w http.ResponseWriter, r *http.Request) {
	var token string
	if !a.decodeBody(w, r, stringField("token", &token)) {
		return
	}
	ctx := r.Context()
	p, err := a.store.ConsumePending(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		writeDetail(w, http.StatusBadRequest, "Verification token is invalid or has expired.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	now := a.now()
	if !p.ExpiresAt.After(now) {
		// The row is gone now, which is what an expired link deserves.
		writeDetail(w, http.StatusBadRequest, "Verification token has expired. Request a new one.")
		return
	}
	u := &store.User{
		Email:        p.Email,
		PasswordHash: p.PasswordHash,
		IsActive:     true,
		IsVerified:   true,
		FullName:     p.FullName,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	err = a.store.CreateUser(ctx, u)
	if errors.Is(err, store.ErrEmailTaken) {
		// An account with this address already exists (an administrator
		// re-sent the link to an unverified user, or a race). Following the
		// link proves the address, so an unverified account becomes
		// verified; a verified one has nothing left to confirm.
		u, err = a.verifyExisting(r, p.Email)
		if errors.Is(err, errAlreadyVerified) {
			writeDetail(w, http.StatusBadRequest, "This email is already registered. Please sign in.")
			return
		}
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(ctx, UserVerified{User: snapshot(u)})
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

var errAlreadyVerified = errors.New("auth: account already verified")

func (a *Auth) verifyExisting(r *http.Request, email string) (*store.User, error) {
	u, err := a.store.UserByEmail(r.Context(), email)
	if err != nil {
		return nil, err
	}
	if u.IsVerified {
		return nil, errAlreadyVerified
	}
	return a.store.MarkVerified(r.Context(), u.ID, a.now())
}

// POST /resend-verification {"email"}
//
// Always 202 with the same body, so it does not reveal whether anything is
// pending for the address. A new link is sent only when a registration is
// pending and no account has the address yet; the old link stops working.
func (a *Auth) handleResendVerification(w http.ResponseWriter, r *http.Request) {
	var email string
	if !a.decodeBody(w, r, emailField("email", &email)) {
		return
	}
	if err := a.resendVerification(r, email); err != nil {
		a.serverError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, "If a pending registration exists, a new email has been sent.")
}

func (a *Auth) resendVerification(r *http.Request, email string) error {
	ctx := r.Context()
	switch _, err := a.store.UserByEmail(ctx, email); {
	case err == nil:
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	p, err := a.store.PendingByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = a.startVerification(ctx, &store.PendingRegistration{Email: p.Email, PasswordHash: p.PasswordHash, FullName: p.FullName})
	return err
}
