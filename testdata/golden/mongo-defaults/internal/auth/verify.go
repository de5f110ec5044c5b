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
// the pending row is taken atomically (with every other registration for
// the address), so of two concurrent uses exactly one succeeds. When the
// address was registered more than once with different passwords the
// account is created without a password (see contestedVerification).
func (a *Auth) handleVerify(w http.ResponseWriter, r *http.Request) {
	var token string
	if !a.decodeBody(w, r, stringField("token", &token)) {
		return
	}
	ctx := r.Context()
	now := a.now()
	p, err := a.store.ConsumePending(ctx, hashToken(token), now)
	if errors.Is(err, store.ErrNotFound) {
		writeDetail(w, http.StatusBadRequest, "Verification token is invalid or has expired.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !p.ExpiresAt.After(now) {
		// The row is gone now, which is what an expired link deserves.
		writeDetail(w, http.StatusBadRequest, "Verification token has expired. Request a new one.")
		return
	}
	passwordHash, fullName := p.PasswordHash, p.FullName
	sendChooseLink := a.choosePasswordLink()
	if p.Contested {
		// Nobody can tell which of the competing passwords (and names)
		// belongs to the mailbox owner who clicked, so none is kept.
		if sendChooseLink == nil {
			// Without a link to choose a password the account would be
			// unusable; every registration for the address is gone now, so
			// the owner registers again.
			a.logger.InfoContext(ctx, "auth: contested registration dropped (no password reset to choose a password with)")
			writeDetail(w, http.StatusBadRequest, detailContested)
			return
		}
		passwordHash, fullName = "", nil
	}
	u := &store.User{
		Email:        p.Email,
		PasswordHash: passwordHash,
		IsActive:     true,
		IsVerified:   true,
		FullName:     fullName,
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
	if p.Contested && !u.HasPassword() {
		a.logger.InfoContext(ctx, "auth: contested registration verified without a password; choose-password link sent", "user", u.ID)
		if err := sendChooseLink(ctx, u); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	a.emit(ctx, UserVerified{User: snapshot(u)})
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

var errAlreadyVerified = errors.New("auth: account already verified")

// detailContested answers a link of a contested address when no password
// can be chosen by email.
const detailContested = "This address was registered more than once with different passwords. Please register again."

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
// pending and no account has the address yet: the newest registration's
// link is renewed (its old link stops working) and mailed to the address,
// whose owner is the only one who can use it.
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
	pending, err := a.store.PendingByEmail(ctx, email)
	if err != nil || len(pending) == 0 {
		return err
	}
	_, err = a.renewVerification(ctx, pending[0])
	return err
}
