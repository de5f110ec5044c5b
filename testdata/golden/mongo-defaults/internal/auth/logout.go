// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// POST /logout (bearer; any body is ignored)
//
// Revokes the presented token until it would have expired anyway. Other
// sessions of the same user stay valid.
func (a *Auth) handleLogout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := a.store.RevokeToken(r.Context(), s.claims.ID, s.claims.ExpiresAt); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(r.Context(), UserLoggedOut{User: snapshot(s.user)})
	writeMessage(w, http.StatusOK, "Logged out.")
}
