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
// writes the 400 (or 503) itself and returns false when they do not.
// Accounts without a password (Google sign-in only) are told how to set one.
func (a *Auth) confirmPassword(w http.ResponseWriter, r *http.Request, u *store.User, plain string) bool {
	if !u.HasPassword() {
		writeDetail(w, http.StatusBadRequest, "No password set on this account. Use forgot-password to set one before changing account details.")
		return false
	}
	ok, err := a.hasher.Verify(r.Context(), plain, u.PasswordHash)
	if err != nil {
		a.failed(w, r, err)
		return false
	}
	if !ok {
		writeDetail(w, http.StatusBadRequest, "Current password is incorrect.")
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
