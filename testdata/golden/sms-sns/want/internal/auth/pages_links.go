// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"net/http"
)

// The pages behind emailed links. A GET (or HEAD) never uses the token:
// mail scanners and link previews fetch links, and a one-time token they
// consumed would be gone when the person clicks. The page shows a button
// whose POST does the work (TestPagesLinkGetDoesNotConsume).

// linkToken reads the token of a link page's GET, or answers that the
// link is incomplete.
func (ps *pageServer) linkToken(w http.ResponseWriter, r *http.Request, d *pageData, token string) bool {
	if token != "" {
		d.Token = token
		return true
	}
	d.Alert = "This link is incomplete. Open it from the email again, or copy the whole address into your browser."
	ps.render(w, r, http.StatusBadRequest, d)
	return false
}

// GET {ui}/verify?token=
func (ps *pageServer) showVerify(w http.ResponseWriter, r *http.Request) {
	d := ps.newPage("verify", "Confirm your email address")
	if ps.linkToken(w, r, d, r.URL.Query().Get("token")) {
		ps.render(w, r, http.StatusOK, d)
	}
}

// POST {ui}/verify: token.
func (ps *pageServer) submitVerify(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.newPage("verify", "Confirm your email address")
	if !ps.linkToken(w, r, d, r.PostForm.Get("token")) {
		return
	}
	if _, err := ps.a.Verify(ps.a.requestContext(r), d.Token); err != nil {
		if errors.Is(err, ErrVerificationTokenInvalid) || errors.Is(err, ErrVerificationTokenExpired) {
			d.ShowResend = true
			d.addForm("resend", "email")
		}
		d.Token = ""
		ps.fail(w, r, d, "", err)
		return
	}
	d.Done, d.Token = true, ""
	d.Notice = "Your email address is confirmed. You can now sign in."
	ps.render(w, r, http.StatusOK, d)
}

// GET {ui}/confirm-email-change?token=
func (ps *pageServer) showConfirmEmailChange(w http.ResponseWriter, r *http.Request) {
	d := ps.newPage("confirm-email-change", "Confirm your new email address")
	if ps.linkToken(w, r, d, r.URL.Query().Get("token")) {
		ps.render(w, r, http.StatusOK, d)
	}
}

// POST {ui}/confirm-email-change: token. The change ends every session of
// the account, so this browser's cookie goes too.
func (ps *pageServer) submitConfirmEmailChange(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.newPage("confirm-email-change", "Confirm your new email address")
	if !ps.linkToken(w, r, d, r.PostForm.Get("token")) {
		return
	}
	u, err := ps.a.ConfirmEmailChange(ps.a.requestContext(r), d.Token)
	if err != nil {
		d.Token = ""
		ps.fail(w, r, d, "", err)
		return
	}
	ps.clearSession(w)
	d.Done, d.Token = true, ""
	d.Notice = "Your email address is now " + u.Email + ". Sign in with it from now on."
	ps.render(w, r, http.StatusOK, d)
}
