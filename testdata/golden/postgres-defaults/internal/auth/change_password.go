// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// POST /change-password {"current_password", "new_password"} (bearer)
//
// Changing the password signs out every session, this one included, and
// invalidates outstanding reset and email-change links.
func (a *Auth) handleChangePassword(w http.ResponseWriter, r *http.Request, s *session) {
	var current, next string
	if !a.decodeBody(w, r, stringField("current_password", &current), newPasswordField("new_password", &next)) {
		return
	}
	if !a.confirmPassword(w, r, s.user, current) {
		return
	}
	// The current password is verified, so comparing the plain texts is
	// the same test as verifying the new one against the stored hash,
	// without a second Argon2 run.
	if next == current {
		writeDetail(w, http.StatusBadRequest, "New password must differ from the current password.")
		return
	}
	ctx := r.Context()
	hash, err := a.hasher.Hash(ctx, next)
	if err != nil {
		a.failed(w, r, err)
		return
	}
	u, err := a.store.SetPassword(ctx, s.user.ID, hash, a.now())
	if err != nil {
		a.accountFailed(w, r, err)
		return
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(ctx, PasswordChanged{User: snapshot(u)})
	writeMessage(w, http.StatusOK, "Password changed. Existing sessions have been signed out.")
}
