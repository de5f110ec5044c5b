// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// confirmPassword is the re-authentication step of the routes that change
// or delete an account: the signed-in user must also know the password. It
// writes the 400 (or 429, 503) itself and returns false when they do not.
// Accounts without a password (Google sign-in only) are told how to set one;
// that is not a guess and is not counted.
//
// A wrong current password counts against the account's login lockout
// (lockout.go), the same counter and settings as /login: someone holding a
// stolen session can make at most login_lockout_threshold guesses per
// window, after which every check, the right password included, is refused
// with 429 and Retry-After, and the owner is told by email.
// TestCurrentPasswordLockout.
func (a *Auth) confirmPassword(w http.ResponseWriter, r *http.Request, u *store.User, plain string) bool {
	if !u.HasPassword() {
		writeDetail(w, http.StatusBadRequest, "No password set on this account. Use forgot-password to set one before changing account details.")
		return false
	}
	ctx := r.Context()
	res, lockedFor, err := a.reserveAttempt(ctx, u.Email, a.now())
	if err != nil {
		a.serverError(w, r, err)
		return false
	}
	if lockedFor > 0 {
		a.lockedOut(w, r, u.Email, lockedFor)
		return false
	}
	ok, err := a.hasher.Verify(ctx, plain, u.PasswordHash)
	if err != nil {
		if werr := a.withdraw(ctx, res); werr != nil {
			a.logger.ErrorContext(ctx, "auth: withdraw password attempt", "err", werr)
		}
		a.failed(w, r, err)
		return false
	}
	if !ok {
		a.passwordFailed(r, u.Email, u, failureCurrentPassword, res)
		writeDetail(w, http.StatusBadRequest, "Current password is incorrect.")
		return false
	}
	// The right password proves the account, as a sign-in does: its
	// failures (this reservation included) are forgotten.
	if err := a.clearFailures(ctx, u.Email); err != nil {
		a.serverError(w, r, err)
		return false
	}
	return true
}

// accountFailed answers a failed update of the signed-in user's account.
// The account disappearing mid-request (deleted in another tab) is the
// same as its token no longer being valid.
func (a *Auth) accountFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		a.writeAuthError(w, r, errInvalidToken)
		return
	}
	a.failed(w, r, err)
}
