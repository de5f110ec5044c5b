// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// DELETE /account {"current_password"} (bearer)
//
// Deletes the account and everything that belongs to it (pending
// registration, login failures, emailed tokens). Its sessions stop working
// because the user no longer exists.
func (a *Auth) handleDeleteAccount(w http.ResponseWriter, r *http.Request, s *session) {
	var current string
	if !a.decodeBody(w, r, stringField("current_password", &current)) {
		return
	}
	if !a.cfg.EnableAccountDeletion {
		writeDetail(w, http.StatusNotFound, "Account deletion is disabled for this application.")
		return
	}
	if !a.confirmPassword(w, r, s.user, current) {
		return
	}
	if err := a.store.DeleteUser(r.Context(), s.user.ID); err != nil {
		a.accountFailed(w, r, err)
		return
	}
	if err := a.clearFailures(r.Context(), s.user.Email); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(r.Context(), UserDeleted{User: snapshot(s.user)})
	writeMessage(w, http.StatusOK, "Account deleted.")
}
