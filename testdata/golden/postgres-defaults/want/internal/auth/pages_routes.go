// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// pageLinks are the full paths of the pages and of the forms' targets, as
// the templates use them (.Links). A flow that is not served has none.
type pageLinks struct {
	Login, Register, Me, Logout, LogoutOthers      string
	Verify, ResendVerification, ConfirmEmailChange string
	Profile, ChangePassword, ChangeEmail           string
	Forgot, Reset                                  string
	DeleteAccount                                  string
}

func (ps *pageServer) newLinks() pageLinks {
	ui := ps.ui
	l := pageLinks{
		Login: ui + "/login", Register: ui + "/register", Me: ui + "/me",
		Logout: ui + "/logout", LogoutOthers: ui + "/logout-others",
		Verify: ui + "/verify", ResendVerification: ui + "/resend-verification",
		ConfirmEmailChange: ui + "/confirm-email-change",
		Profile:            ui + "/me", ChangePassword: ui + "/change-password", ChangeEmail: ui + "/change-email",
	}
	if ps.a.cfg.EnablePasswordReset {
		l.Forgot, l.Reset = ui+"/forgot", ui+"/reset"
	}
	if ps.a.cfg.EnableAccountDeletion {
		l.DeleteAccount = ui + "/delete-account"
	}
	return l
}

// routes is the page route table, relative to ui_prefix. A POST gets the
// cross-origin check (Pages); limit names the JSON route whose rate limit
// the form shares. A new page is a template and a line here (docs/pages.md).
func (ps *pageServer) routes() []pageRoute {
	rs := []pageRoute{
		{http.MethodGet, "/login", ps.showLogin, ""},
		{http.MethodPost, "/login", ps.submitLogin, "POST /login"},
		{http.MethodPost, "/logout", ps.submitLogout, ""},
		{http.MethodPost, "/logout-others", ps.signedIn(ps.submitLogoutOthers), ""},
		{http.MethodGet, "/register", ps.showRegister, ""},
		{http.MethodPost, "/register", ps.submitRegister, "POST /register"},
		{http.MethodPost, "/resend-verification", ps.submitResend, "POST /resend-verification"},
		{http.MethodGet, "/verify", ps.showVerify, ""},
		{http.MethodPost, "/verify", ps.submitVerify, "POST /verify"},
		{http.MethodGet, "/confirm-email-change", ps.showConfirmEmailChange, ""},
		{http.MethodPost, "/confirm-email-change", ps.submitConfirmEmailChange, "POST /confirm-email-change"},
		{http.MethodGet, "/me", ps.signedIn(ps.showMe), ""},
		{http.MethodPost, "/me", ps.signedIn(ps.submitProfile), ""},
		{http.MethodPost, "/change-password", ps.signedIn(ps.submitChangePassword), "POST /change-password"},
		{http.MethodPost, "/change-email", ps.signedIn(ps.submitChangeEmail), "POST /change-email"},
	}
	if ps.a.cfg.EnablePasswordReset {
		rs = append(rs,
			pageRoute{http.MethodGet, "/forgot", ps.showForgot, ""},
			pageRoute{http.MethodPost, "/forgot", ps.submitForgot, "POST /forgot-password"},
			pageRoute{http.MethodGet, "/reset", ps.showReset, ""},
			pageRoute{http.MethodPost, "/reset", ps.submitReset, "POST /reset-password"},
		)
	}
	if ps.a.cfg.EnableAccountDeletion {
		rs = append(rs,
			pageRoute{http.MethodGet, "/delete-account", ps.signedIn(ps.showDeleteAccount), ""},
			pageRoute{http.MethodPost, "/delete-account", ps.signedIn(ps.submitDeleteAccount), "DELETE /account"},
		)
	}
	return rs
}

// doneNotice is the message a page shows after a redirect with ?done=code,
// so the URL never carries text that a link could forge.
func doneNotice(code string) string {
	switch code {
	case "registered":
		return "Your account is ready. Sign in."
	case "logout":
		return "You are signed out."
	case "password":
		return "Your password was changed and every session was signed out. Sign in with the new password."
	case "profile":
		return "Your name was saved."
	case "email":
		return "Check the inbox of the new address: the change takes effect when you follow the link we sent there."
	case "others":
		return "Every other device is signed out. This one stays signed in."
	case "reset":
		return "Your password was changed. Sign in with the new password."
	case "deleted":
		return "Your account was deleted."
	}
	return ""
}
