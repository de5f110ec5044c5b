// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// GET {ui}/forgot
func (ps *pageServer) showForgot(w http.ResponseWriter, r *http.Request) {
	ps.render(w, r, http.StatusOK, ps.forgotPage())
}

func (ps *pageServer) forgotPage() *pageData {
	d := ps.newPage("forgot", "Reset your password")
	d.addForm("forgot", "email")
	return d
}

// POST {ui}/forgot: email. The same answer whether or not the address has
// an account (RequestPasswordReset), so the form tells nobody which
// addresses are registered.
func (ps *pageServer) submitForgot(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.forgotPage()
	d.keep("forgot", r.PostForm)
	var email string
	if errs := bindForm(r.PostForm, emailField("email", &email)); len(errs) > 0 {
		ps.invalid(w, r, d, "forgot", errs)
		return
	}
	if err := ps.a.RequestPasswordReset(ps.a.requestContext(r), email); err != nil {
		ps.fail(w, r, d, "forgot", err)
		return
	}
	ps.checkEmail(w, r, "If an account exists for that address, we sent it a link to choose a new password.")
}

// GET {ui}/reset?token=: the new-password form. The GET never uses the
// token (see pages_links.go).
func (ps *pageServer) showReset(w http.ResponseWriter, r *http.Request) {
	d := ps.resetPage()
	if ps.linkToken(w, r, d, r.URL.Query().Get("token")) {
		ps.render(w, r, http.StatusOK, d)
	}
}

func (ps *pageServer) resetPage() *pageData {
	d := ps.newPage("reset", "Choose a new password")
	d.addForm("reset", "new_password")
	return d
}

// POST {ui}/reset: token, new_password. Every session of the account ends,
// this browser's included.
func (ps *pageServer) submitReset(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.resetPage()
	if !ps.linkToken(w, r, d, r.PostForm.Get("token")) {
		return
	}
	var next string
	if errs := bindForm(r.PostForm, newPasswordField("new_password", &next)); len(errs) > 0 {
		// The token was not used: the form asks again.
		ps.invalid(w, r, d, "reset", errs)
		return
	}
	if err := ps.a.ResetPassword(ps.a.requestContext(r), d.Token, next); err != nil {
		d.Token = ""
		ps.fail(w, r, d, "reset", err)
		return
	}
	ps.clearSession(w)
	redirect(w, r, ps.links.Login+"?done=reset")
}
