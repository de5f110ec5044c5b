// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"net/http"
	"net/url"
)

// GET {ui}/register
func (ps *pageServer) showRegister(w http.ResponseWriter, r *http.Request) {
	if !ps.a.cfg.AllowRegistration {
		ps.registrationClosed(w, r)
		return
	}
	ps.render(w, r, http.StatusOK, ps.registerPage(safeNext(r.URL.Query().Get("next"))))
}

func (ps *pageServer) registerPage(next string) *pageData {
	d := ps.newPage("register", "Create your account")
	d.addForm("register", "email", "full_name", "password")
	d.Next = next
	return d
}

func (ps *pageServer) registrationClosed(w http.ResponseWriter, r *http.Request) {
	d := ps.newPage("message", "Create your account")
	d.Alert = ErrRegistrationClosed.detail
	ps.render(w, r, ErrRegistrationClosed.status, d)
}

// POST {ui}/register: email, full_name, password. With
// require_verification the answer is "check your email"; without, the
// account exists and the visitor signs in.
func (ps *pageServer) submitRegister(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.registerPage(safeNext(r.PostForm.Get("next")))
	d.keep("register", r.PostForm)
	var email, plain string
	var fullName *string
	if errs := bindForm(r.PostForm, emailField("email", &email), newPasswordField("password", &plain), fullNameField(&fullName, nil)); len(errs) > 0 {
		ps.invalid(w, r, d, "register", errs)
		return
	}
	reg, err := ps.a.Register(ps.a.requestContext(r), email, plain, fullName)
	if err != nil {
		ps.fail(w, r, d, "register", err)
		return
	}
	if reg.Pending != nil {
		ps.checkEmail(w, r, "We sent a link to "+reg.Pending.Email+". Open it to confirm your address and finish creating your account.")
		return
	}
	target := ps.links.Login + "?done=registered"
	if d.Next != "" {
		target += "&next=" + url.QueryEscape(d.Next)
	}
	redirect(w, r, target)
}

// POST {ui}/resend-verification: email. The answer is the same whether or
// not a registration waits for the address (ResendVerification), so the
// form tells nobody which addresses are registered.
func (ps *pageServer) submitResend(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.newPage("message", "Send a new link")
	d.ShowResend = true
	d.addForm("resend", "email")
	d.keep("resend", r.PostForm)
	var email string
	if errs := bindForm(r.PostForm, emailField("email", &email)); len(errs) > 0 {
		ps.invalid(w, r, d, "resend", errs)
		return
	}
	if err := ps.a.ResendVerification(ps.a.requestContext(r), email); err != nil {
		ps.fail(w, r, d, "resend", err)
		return
	}
	ps.checkEmail(w, r, "If a registration for that address is waiting to be confirmed, we sent it a new link.")
}

// checkEmail is the page after a form that mailed a link.
func (ps *pageServer) checkEmail(w http.ResponseWriter, r *http.Request, text string) {
	d := ps.newPage("message", "Check your email")
	d.Notice = text
	ps.render(w, r, http.StatusOK, d)
}
