// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// ErrDeletionDisabled: enable_account_deletion is false.
var ErrDeletionDisabled = newError("auth: account deletion is disabled", http.StatusNotFound,
	"Account deletion is disabled for this application.")

// DELETE /account {"current_password"} (bearer)
func (a *Auth) handleDeleteAccount(w http.ResponseWriter, r *http.Request, s *session) {
	var current string
	if !a.decodeBody(w, r, stringField("current_password", &current)) {
		return
	}
	if err := a.DeleteAccount(a.requestContext(r), s.user, current); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Account deleted.")
}

// DeleteAccount deletes u, the signed-in user, once current proves the
// password, as DELETE /account does: the account and everything that
// belongs to it (pending registration, login failures, emailed tokens). Its
// sessions stop working because the user no longer exists.
//
// Errors: ErrDeletionDisabled, ErrNoPassword, ErrWrongPassword (counted
// against the lockout), a *LockedError while the account is locked,
// ErrBusy, ErrInvalidToken when the account no longer exists.
func (a *Auth) DeleteAccount(ctx context.Context, u *store.User, current string) error {
	if !a.cfg.EnableAccountDeletion {
		return ErrDeletionDisabled
	}
	if err := a.confirmPassword(ctx, u, current); err != nil {
		return err
	}
	if err := a.store.DeleteUser(ctx, u.ID); err != nil {
		return accountGone(err)
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return err
	}
	a.emit(ctx, UserDeleted{User: snapshot(u)})
	return nil
}
