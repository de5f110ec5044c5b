// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// GET /me (bearer)
func (a *Auth) handleMe(w http.ResponseWriter, r *http.Request, s *session) {
	writeJSON(w, http.StatusOK, NewUserPublic(s.user))
}

// PATCH /me {"full_name": string|null} (bearer)
//
// A key that is not sent is left alone: {} changes nothing, while
// {"full_name": null} clears the name.
func (a *Auth) handleUpdateMe(w http.ResponseWriter, r *http.Request, s *session) {
	var fullName *string
	var sent bool
	if !a.decodeBody(w, r, fullNameField(&fullName, &sent)) {
		return
	}
	u := s.user
	if sent {
		var err error
		if u, err = a.store.SetFullName(r.Context(), u.ID, fullName, a.now()); err != nil {
			a.accountFailed(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}
