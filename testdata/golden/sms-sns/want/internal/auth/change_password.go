// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// POST /change-password {"current_password", "new_password"} (bearer)
func (a *Auth) handleChangePassword(w http.ResponseWriter, r *http.Request, s *session) {
	var current, next string
	if !a.decodeBody(w, r, stringField("current_password", &current), newPasswordField("new_password", &next)) {
		return
	}
	if _, err := a.ChangePassword(a.requestContext(r), s.user, current, next); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Password changed. Existing sessions have been signed out.")
}

// ChangePassword sets the password of u, the signed-in user (UserFrom, or
// a Session's User), to next once current proves it is theirs, as POST
// /change-password does, and returns the updated account. next must already
// satisfy the password rules (8 to 128 characters): the JSON API checks
// them while decoding the request.
//
// Changing the password signs out every session, the caller's included,
// and invalidates the account's outstanding emailed links.
//
// Errors: ErrNoPassword, ErrWrongPassword (counted against the lockout),
// a *LockedError while the account is locked, ErrSamePassword, ErrBusy,
// ErrInvalidToken when the account no longer exists.
func (a *Auth) ChangePassword(ctx context.Context, u *store.User, current, next string) (*store.User, error) {
	if err := a.confirmPassword(ctx, u, current); err != nil {
		return nil, err
	}
	// The current password is verified, so comparing the plain texts is
	// the same test as verifying the new one against the stored hash,
	// without a second Argon2 run.
	if next == current {
		return nil, ErrSamePassword
	}
	hash, err := a.hasher.Hash(ctx, next)
	if err != nil {
		return nil, err
	}
	u, err = a.store.SetPassword(ctx, u.ID, hash, a.now())
	if err != nil {
		return nil, accountGone(err)
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return nil, err
	}
	a.emit(ctx, PasswordChanged{User: snapshot(u)})
	return u, nil
}
