// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"net/http"

	"example.com/demo/internal/auth/store"
)

// accountPage is the account page of s's user with its forms.
func (ps *pageServer) accountPage(r *http.Request, s *session) *pageData {
	d := ps.newPage("me", "Your account")
	u := s.user
	d.User = newPageUser(u)
	d.addForm("profile", "full_name")
	d.setValue("profile", "full_name", d.User.FullName)
	d.addForm("change-password", "current_password", "new_password")
	d.addForm("change-email", "new_email", "current_password")
	return d
}

func newPageUser(u *store.User) *pageUser {
	p := &pageUser{
		Email:       u.Email,
		Verified:    u.IsVerified,
		HasPassword: u.HasPassword(),
		Created:     u.CreatedAt.UTC().Format("2 January 2006"),
		CreatedISO:  formatTime(u.CreatedAt),
	}
	if u.FullName != nil {
		p.FullName = *u.FullName
	}
	return p
}

// GET {ui}/me[?done=code]
func (ps *pageServer) showMe(w http.ResponseWriter, r *http.Request, s *session) {
	d := ps.accountPage(r, s)
	d.Notice = doneNotice(r.URL.Query().Get("done"))
	ps.render(w, r, http.StatusOK, d)
}

// POST {ui}/me: full_name (empty clears it), as PATCH {api}/me.
func (ps *pageServer) submitProfile(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	d.keep("profile", r.PostForm)
	var fullName *string
	if errs := bindForm(r.PostForm, fullNameField(&fullName, nil)); len(errs) > 0 {
		ps.invalid(w, r, d, "profile", errs)
		return
	}
	if _, err := ps.a.UpdateProfile(ps.a.requestContext(r), s.user, fullName); err != nil {
		ps.fail(w, r, d, "profile", err)
		return
	}
	redirect(w, r, ps.links.Me+"?done=profile")
}

// POST {ui}/change-password: current_password, new_password. The change
// ends every session, this one included, so the visitor signs in again.
func (ps *pageServer) submitChangePassword(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	var current, next string
	if errs := bindForm(r.PostForm, stringField("current_password", &current), newPasswordField("new_password", &next)); len(errs) > 0 {
		ps.invalid(w, r, d, "change-password", errs)
		return
	}
	if _, err := ps.a.ChangePassword(ps.a.requestContext(r), s.user, current, next); err != nil {
		ps.fail(w, r, d, "change-password", err)
		return
	}
	ps.clearSession(w)
	redirect(w, r, ps.links.Login+"?done=password")
}

// POST {ui}/change-email: new_email, current_password. A link goes to the
// new address; nothing changes until it is followed.
func (ps *pageServer) submitChangeEmail(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	d.keep("change-email", r.PostForm)
	var newEmail, current string
	if errs := bindForm(r.PostForm, emailField("new_email", &newEmail), stringField("current_password", &current)); len(errs) > 0 {
		ps.invalid(w, r, d, "change-email", errs)
		return
	}
	if err := ps.a.ChangeEmail(ps.a.requestContext(r), s.user, newEmail, current); err != nil {
		ps.fail(w, r, d, "change-email", err)
		return
	}
	redirect(w, r, ps.links.Me+"?done=email")
}
