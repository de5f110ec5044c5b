// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// GET {ui}/delete-account: the confirmation step, asking for the password.
func (ps *pageServer) showDeleteAccount(w http.ResponseWriter, r *http.Request, s *session) {
	ps.render(w, r, http.StatusOK, ps.deleteAccountPage(s))
}

func (ps *pageServer) deleteAccountPage(s *session) *pageData {
	d := ps.newPage("delete-account", "Delete your account")
	d.User = newPageUser(s.user)
	d.addForm("delete-account", "current_password")
	return d
}

// POST {ui}/delete-account: current_password, as DELETE {api}/account
// (same rate limit, same lockout on a wrong password).
func (ps *pageServer) submitDeleteAccount(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.deleteAccountPage(s)
	var current string
	if errs := bindForm(r.PostForm, stringField("current_password", &current)); len(errs) > 0 {
		ps.invalid(w, r, d, "delete-account", errs)
		return
	}
	if err := ps.a.DeleteAccount(ps.a.requestContext(r), s.user, current); err != nil {
		ps.fail(w, r, d, "delete-account", err)
		return
	}
	ps.clearSession(w)
	redirect(w, r, ps.links.Login+"?done=deleted")
}
