// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// Errors of Verify.
var (
	// ErrVerificationTokenInvalid: no pending registration has the token
	// (wrong, already used, or replaced by a newer link).
	ErrVerificationTokenInvalid = newError("auth: verification token is invalid", http.StatusBadRequest,
		"Verification token is invalid or has expired.")
	// ErrVerificationTokenExpired: the link is too old; the registration is
	// gone and a new one (or ResendVerification) is needed.
	ErrVerificationTokenExpired = newError("auth: verification token has expired", http.StatusBadRequest,
		"Verification token has expired. Request a new one.")
	// ErrContested: the address was registered with different passwords
	// and no password can be chosen by email (choosePasswordLink): every
	// registration for it is dropped and the owner registers again.
	ErrContested = newError("auth: contested registration dropped", http.StatusBadRequest, detailContested)
	// ErrAlreadyVerified: an account with the address exists and is
	// verified already.
	ErrAlreadyVerified = newError("auth: account already verified", http.StatusBadRequest,
		"This email is already registered. Please sign in.")
)

// POST /verify {"token"}
func (a *Auth) handleVerify(w http.ResponseWriter, r *http.Request) {
	var token string
	if !a.decodeBody(w, r, stringField("token", &token)) {
		return
	}
	u, err := a.Verify(a.requestContext(r), token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

// Verify follows an emailed verification link (token is its token) and
// returns the account, as POST /verify does: it turns a pending
// registration into an account. The token is single-use: the pending row is
// taken atomically (with every other registration for the address), so of
// two concurrent uses exactly one succeeds
// (TestVerifyTokenSingleUseUnderConcurrency). When the address was registered
// more than once with different passwords the account is created without a
// password (see contestedVerification).
//
// Errors: ErrVerificationTokenInvalid, ErrVerificationTokenExpired,
// ErrContested, ErrAlreadyVerified.
func (a *Auth) Verify(ctx context.Context, token string) (*store.User, error) {
	now := a.now()
	p, err := a.store.ConsumePending(ctx, hashToken(token), now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrVerificationTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if !p.ExpiresAt.After(now) {
		// The row is gone now, which is what an expired link deserves.
		return nil, ErrVerificationTokenExpired
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
			a.logger.InfoContext(ctx, "auth: contested registration dropped (no link to choose a password with)")
			return nil, ErrContested
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
		u, err = a.verifyExisting(ctx, p.Email)
	}
	if err != nil {
		return nil, err
	}
	if p.Contested && !u.HasPassword() {
		a.logger.InfoContext(ctx, "auth: contested registration verified without a password; choose-password link sent", "user", u.ID)
		if err := sendChooseLink(ctx, u); err != nil {
			return nil, err
		}
	}
	a.emit(ctx, UserVerified{User: snapshot(u)})
	return u, nil
}

// detailContested answers a link of a contested address when no password
// can be chosen by email.
const detailContested = "This address was registered more than once with different passwords. Please register again."

// verifyExisting marks the existing account of email verified;
// ErrAlreadyVerified when it is already.
func (a *Auth) verifyExisting(ctx context.Context, email string) (*store.User, error) {
	u, err := a.store.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if u.IsVerified {
		return nil, ErrAlreadyVerified
	}
	return a.store.MarkVerified(ctx, u.ID, a.now())
}

// POST /resend-verification {"email"}
func (a *Auth) handleResendVerification(w http.ResponseWriter, r *http.Request) {
	var email string
	if !a.decodeBody(w, r, emailField("email", &email)) {
		return
	}
	if err := a.ResendVerification(a.requestContext(r), email); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, "If a pending registration exists, a new email has been sent.")
}

// ResendVerification mails a fresh verification link, as POST
// /resend-verification does. It returns nil whatever the address, so the
// answer does not reveal whether anything is pending for it: a new link is
// sent only when a registration is pending and no account has the address
// yet. The newest registration's link is renewed (its old link stops
// working) and mailed to the address, whose owner is the only one who can
// use it. Only unexpected errors are returned.
func (a *Auth) ResendVerification(ctx context.Context, email string) error {
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
