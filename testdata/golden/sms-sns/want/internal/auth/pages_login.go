// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"net/http"
)

// GET {ui}/login[?next=/path][&done=code]
func (ps *pageServer) showLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := safeNext(q.Get("next"))
	if s, err := ps.session(r); err == nil && s != nil {
		// Already signed in: go on.
		redirect(w, r, orDefault(next, ps.links.Me))
		return
	}
	d := ps.loginPage(next)
	d.Notice = doneNotice(q.Get("done"))
	ps.render(w, r, http.StatusOK, d)
}

func (ps *pageServer) loginPage(next string) *pageData {
	d := ps.newPage("login", "Sign in")
	d.addForm("login", "email", "password")
	d.Next = next
	return d
}

// POST {ui}/login: email, password[, next]. The same Authenticate as POST
// {api}/login (lockout, equal timing for unknown addresses) behind the
// same rate limit; success sets the session cookie and goes to next or the
// account page.
func (ps *pageServer) submitLogin(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.loginPage(safeNext(r.PostForm.Get("next")))
	d.keep("login", r.PostForm)
	var email, plain string
	if errs := bindForm(r.PostForm, emailField("email", &email), newPasswordField("password", &plain)); len(errs) > 0 {
		ps.invalid(w, r, d, "login", errs)
		return
	}
	res, err := ps.a.Authenticate(ps.a.requestContext(r), email, plain)
	if err != nil {
		if errors.Is(err, ErrNotVerified) {
			// Only someone who knows the password gets here; offer a new link.
			d.ShowResend = true
			d.addForm("resend", "email")
			d.setValue("resend", "email", email)
		}
		ps.fail(w, r, d, "login", err)
		return
	}
	if res.MFA != nil {
		// The password was right and a code is on its way: the sign-in
		// goes on at {ui}/mfa-confirm, with the pending token in a
		// short-lived cookie (never in a URL) and next along.
		ps.setPending(w, pendingLogin, res.MFA.PendingToken, res.MFA.ExpiresAt)
		redirect(w, r, ps.mfaConfirmURL(d.Next))
		return
	}
	ps.setSession(w, res.Session)
	redirect(w, r, orDefault(d.Next, ps.links.Me))
}

// POST {ui}/logout: the session's token is revoked (Logout), not only the
// cookie dropped, so a copied cookie stops working too
// (TestPagesLogoutRevokes).
func (ps *pageServer) submitLogout(w http.ResponseWriter, r *http.Request) {
	s, err := ps.session(r)
	if err != nil {
		ps.fail(w, r, ps.newPage("message", "Sign out"), "", err)
		return
	}
	if s != nil {
		if err := ps.a.logout(ps.a.requestContext(r), s); err != nil {
			ps.fail(w, r, ps.newPage("message", "Sign out"), "", err)
			return
		}
	}
	ps.clearSession(w)
	ps.clearPending(w, pendingPhone) // an enrolment waiting for its code
	redirect(w, r, ps.links.Login+"?done=logout")
}

// POST {ui}/logout-others: "Sign out of all other devices".
func (ps *pageServer) submitLogoutOthers(w http.ResponseWriter, r *http.Request, s *session) {
	fresh, err := ps.a.signOutOthers(ps.a.requestContext(r), s)
	if err != nil {
		ps.fail(w, r, ps.newPage("message", "Sign out of all other devices"), "", err)
		return
	}
	ps.setSession(w, fresh)
	redirect(w, r, ps.links.Me+"?done=others")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
