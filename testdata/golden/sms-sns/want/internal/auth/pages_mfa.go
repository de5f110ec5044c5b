// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// The pages of the SMS second factor: the sign-in code step
// ({ui}/mfa-confirm) and the account page's section that adds a phone
// (number → code) or turns the codes off. They call the same domain
// methods as the JSON routes (ConfirmLoginCode, StartPhoneSetup,
// ConfirmPhone, DisablePhone) behind the same rate limits.
//
// A step waiting for its code is carried by its pending token, which the
// pages keep in a short-lived cookie of its own (pendingLogin,
// pendingPhone), never in a URL or in the page: HttpOnly, Secure,
// SameSite=Strict, and gone when the token expires.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/demo/internal/auth/store"
)

// pageMFA is what the templates get about the second factor (.MFA).
type pageMFA struct {
	// On: every sign-in of the account asks for a code (account page).
	On bool
	// PhoneHint is the number the code went to, or the account's number,
	// masked but for its last two digits ("+•••••••••71").
	PhoneHint string
	// Confirming: a phone enrolment waits for the code sent to PhoneHint
	// (account page: the code form shows instead of the number form).
	Confirming bool
	// Restart: the sign-in step cannot go on (the code expired, was used
	// up or the step ended); mfa-confirm offers signing in again instead
	// of the form.
	Restart bool
}

// pendingCookie is the suffix of the session cookie's name that names the
// cookie of one kind of pending step.
type pendingCookie string

const (
	// pendingLogin carries a sign-in from the password to the code.
	pendingLogin pendingCookie = "_mfa"
	// pendingPhone carries a phone enrolment from the number to the code.
	pendingPhone pendingCookie = "_phone"
)

// pendingName is the cookie's name: the session cookie's (with its
// __Host- prefix over https) and the suffix.
func (ps *pageServer) pendingName(c pendingCookie) string { return ps.cookie + string(c) }

// pendingPath scopes the cookie to the pages, except that the __Host-
// prefix requires Path=/.
func (ps *pageServer) pendingPath(name string) string {
	if ps.ui == "" || strings.HasPrefix(name, "__Host-") {
		return "/"
	}
	return ps.ui
}

// setPending hands the browser the pending token of a step until it
// expires. SameSite=Strict: only this site's own pages send it on.
func (ps *pageServer) setPending(w http.ResponseWriter, c pendingCookie, token string, expires time.Time) {
	name := ps.pendingName(c)
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    token,
		Path:     ps.pendingPath(name),
		MaxAge:   max(int(expires.Sub(ps.a.now()).Seconds()), 1),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
	})
}

// clearPending tells the browser to drop the cookie of a step.
func (ps *pageServer) clearPending(w http.ResponseWriter, c pendingCookie) {
	name := ps.pendingName(c)
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    "",
		Path:     ps.pendingPath(name),
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
	})
}

// pendingToken is the pending token of the request's step of kind c, ""
// when there is none.
func (ps *pageServer) pendingToken(r *http.Request, c pendingCookie) string {
	ck, err := r.Cookie(ps.pendingName(c))
	if err != nil {
		return ""
	}
	return ck.Value
}

// mfaConfirmURL is the sign-in code page, with next to go on to.
func (ps *pageServer) mfaConfirmURL(next string) string {
	if next == "" {
		return ps.links.MFAConfirm
	}
	return ps.links.MFAConfirm + "?next=" + url.QueryEscape(next)
}

// loginURL is the sign-in page, with next to go on to.
func (ps *pageServer) loginURL(next string) string {
	if next == "" {
		return ps.links.Login
	}
	return ps.links.Login + "?next=" + url.QueryEscape(next)
}

// codeHint is the hint of a code input: where the code went.
func (ps *pageServer) codeHint(phoneHint string) string {
	n := strconv.Itoa(ps.a.cfg.SMSCodeLength)
	if phoneHint == "" {
		return "We sent a " + n + "-digit code to your phone."
	}
	return "We sent a " + n + "-digit code to " + phoneHint + "."
}

func (ps *pageServer) mfaConfirmPage(next, phoneHint string) *pageData {
	d := ps.newPage("mfa-confirm", "Enter your sign-in code")
	d.Next = next
	d.MFA = &pageMFA{PhoneHint: phoneHint}
	d.addForm("mfa-confirm", "code")
	f := d.Fields["mfa-confirm.code"]
	f.Hint = ps.codeHint(phoneHint)
	d.Fields["mfa-confirm.code"] = f
	return d
}

// loginHint is the masked number of the account of a sign-in's pending
// token; ok is false when the step cannot go on (expired, revoked, the
// account disabled or gone). The error is the database's.
func (ps *pageServer) loginHint(r *http.Request, token string) (hint string, ok bool, err error) {
	u, _, err := ps.a.pendingUser(r.Context(), token, purposeLoginMFA, ps.a.now(), ErrMFATokenInvalid, ErrPendingAccountInactive)
	switch {
	case errors.Is(err, ErrMFATokenInvalid), errors.Is(err, ErrPendingAccountInactive):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	if u.PhoneNumber == "" {
		return "", true, nil
	}
	return maskPhone(u.PhoneNumber), true, nil
}

// GET {ui}/mfa-confirm[?next=/path]: the code form of a sign-in whose
// password was right. Without a sign-in waiting for its code (no cookie,
// or one that expired), the visitor is sent to sign in.
func (ps *pageServer) showMFAConfirm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	token := ps.pendingToken(r, pendingLogin)
	if token == "" {
		redirect(w, r, ps.loginURL(next))
		return
	}
	hint, ok, err := ps.loginHint(r, token)
	if err != nil {
		ps.fail(w, r, ps.newPage("message", "Something went wrong"), "", err)
		return
	}
	if !ok {
		ps.clearPending(w, pendingLogin)
		redirect(w, r, ps.loginURL(next))
		return
	}
	ps.render(w, r, http.StatusOK, ps.mfaConfirmPage(next, hint))
}

// POST {ui}/mfa-confirm: code[, next]. The same ConfirmLoginCode as POST
// {api}/login/mfa-confirm behind the same rate limit; success drops the
// pending cookie, sets the session cookie and goes to next or the account
// page. A wrong code can be typed again (the page says how many checks are
// left); an expired, used-up or missing code ends the step, and the page
// offers signing in again.
func (ps *pageServer) submitMFAConfirm(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	token := ps.pendingToken(r, pendingLogin)
	if token == "" {
		redirect(w, r, ps.loginURL(next))
		return
	}
	var code string
	if errs := bindForm(r.PostForm, codeField(&code)); len(errs) > 0 {
		hint, _, _ := ps.loginHint(r, token)
		ps.invalid(w, r, ps.mfaConfirmPage(next, hint), "mfa-confirm", errs)
		return
	}
	s, err := ps.a.ConfirmLoginCode(ps.a.requestContext(r), token, code)
	if err == nil {
		ps.clearPending(w, pendingLogin)
		ps.setSession(w, s)
		redirect(w, r, orDefault(next, ps.links.Me))
		return
	}
	var ce *CodeError
	switch {
	case errors.As(err, &ce) && ce.Outcome == CodeWrong:
		hint, _, _ := ps.loginHint(r, token)
		ps.fail(w, r, ps.mfaConfirmPage(next, hint), "mfa-confirm", err)
	case ce != nil, errors.Is(err, ErrMFATokenInvalid), errors.Is(err, ErrPendingAccountInactive):
		// The step is over: its token completes nothing any more.
		ps.clearPending(w, pendingLogin)
		d := ps.mfaConfirmPage(next, "")
		d.MFA.Restart = true
		// The page's "sign in again" link keeps next.
		d.Links.Login = ps.loginURL(next)
		ps.fail(w, r, d, "", err)
	default:
		ps.fail(w, r, ps.mfaConfirmPage(next, ""), "mfa-confirm", err)
	}
}

// addMFASection puts the SMS section on the account page of u: the
// number form while codes are off, the switch-off form while they are on.
func (ps *pageServer) addMFASection(d *pageData, u *store.User) {
	if !ps.a.cfg.EnableSMS2FA {
		return
	}
	d.MFA = &pageMFA{On: u.IsMFAEnabled && u.PhoneNumber != ""}
	if d.MFA.On {
		d.MFA.PhoneHint = maskPhone(u.PhoneNumber)
		d.addForm("mfa-disable", "current_password")
		return
	}
	d.addForm("phone-setup-start", "phone_number", "current_password")
}

// addEnrolment switches the section to the code form when the browser
// holds an enrolment of s's account that still waits for its code; ok
// reports whether it does. The error is the database's.
func (ps *pageServer) addEnrolment(r *http.Request, s *session, d *pageData) (ok bool, err error) {
	token := ps.pendingToken(r, pendingPhone)
	if token == "" || d.MFA == nil {
		return false, nil
	}
	u, claims, err := ps.a.pendingUser(r.Context(), token, purposePhoneSetup, ps.a.now(), ErrPendingTokenInvalid, ErrPendingAccountInactive)
	switch {
	case errors.Is(err, ErrPendingTokenInvalid), errors.Is(err, ErrPendingAccountInactive):
		return false, nil
	case err != nil:
		return false, err
	case u.ID != s.user.ID:
		// Another account's enrolment (someone else signed in on this
		// browser since): not this page's business.
		return false, nil
	}
	d.MFA.Confirming = true
	d.MFA.PhoneHint = maskPhone(claims.Extra["phone"])
	d.addForm("phone-setup-confirm", "code")
	f := d.Fields["phone-setup-confirm.code"]
	f.Hint = ps.codeHint(d.MFA.PhoneHint)
	d.Fields["phone-setup-confirm.code"] = f
	return true, nil
}

// showEnrolment is addEnrolment for a page that is about to be shown: a
// cookie that no longer leads anywhere is dropped.
func (ps *pageServer) showEnrolment(w http.ResponseWriter, r *http.Request, s *session, d *pageData) error {
	ok, err := ps.addEnrolment(r, s, d)
	if err == nil && !ok && ps.pendingToken(r, pendingPhone) != "" {
		ps.clearPending(w, pendingPhone)
	}
	return err
}

// POST {ui}/phone/start: phone_number, current_password, as POST
// {api}/phone/start. A code goes to the number; the account page then
// asks for it. The section's forms post to their action with #rs-mfa, so
// the answer (an error beside a field, the next step) opens scrolled to
// the section.
func (ps *pageServer) submitPhoneStart(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	if d.MFA == nil || d.MFA.On {
		// The page offers another number only once codes are off.
		redirect(w, r, ps.links.Me)
		return
	}
	d.keep("phone-setup-start", r.PostForm)
	var phone, current string
	if errs := bindForm(r.PostForm, phoneField(&phone), stringField("current_password", &current)); len(errs) > 0 {
		ps.invalid(w, r, d, "phone-setup-start", errs)
		return
	}
	ch, err := ps.a.StartPhoneSetup(ps.a.requestContext(r), s.user, phone, current)
	if err != nil {
		ps.fail(w, r, d, "phone-setup-start", err)
		return
	}
	ps.setPending(w, pendingPhone, ch.PendingToken, ch.ExpiresAt)
	// To the section, which now asks for the code.
	redirect(w, r, ps.links.Me+"#rs-mfa")
}

// POST {ui}/phone/confirm: code, as POST {api}/phone/confirm, for the
// enrolment in the browser's cookie. The number becomes the account's and
// every later sign-in asks for a code.
func (ps *pageServer) submitPhoneConfirm(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	ok, err := ps.addEnrolment(r, s, d)
	if err != nil {
		ps.fail(w, r, d, "phone-setup-confirm", err)
		return
	}
	if !ok {
		// Nothing (or nothing of this account) waits for a code.
		ps.clearPending(w, pendingPhone)
		redirect(w, r, ps.links.Me)
		return
	}
	var code string
	if errs := bindForm(r.PostForm, codeField(&code)); len(errs) > 0 {
		ps.invalid(w, r, d, "phone-setup-confirm", errs)
		return
	}
	_, err = ps.a.ConfirmPhone(ps.a.requestContext(r), ps.pendingToken(r, pendingPhone), code)
	var ce *CodeError
	switch {
	case err == nil:
		ps.clearPending(w, pendingPhone)
		redirect(w, r, ps.links.Me+"?done=mfa-on")
	case errors.As(err, &ce) && ce.Outcome == CodeWrong:
		ps.fail(w, r, d, "phone-setup-confirm", err)
	case ce != nil, errors.Is(err, ErrPendingTokenInvalid), errors.Is(err, ErrPendingAccountInactive):
		// The enrolment is over: the number form again, with why.
		ps.clearPending(w, pendingPhone)
		ps.fail(w, r, ps.accountPage(r, s), "", err)
	default:
		ps.fail(w, r, d, "phone-setup-confirm", err)
	}
}

// POST {ui}/phone/cancel: forget the enrolment waiting for its code (to
// use another number; the code form's second button posts here). Its code
// simply expires.
func (ps *pageServer) submitPhoneCancel(w http.ResponseWriter, r *http.Request, _ *session) {
	ps.clearPending(w, pendingPhone)
	redirect(w, r, ps.links.Me+"?done=phone-cancelled")
}

// POST {ui}/phone/disable: current_password, as DELETE {api}/phone: the
// number is removed and sign-ins no longer ask for a code.
func (ps *pageServer) submitPhoneDisable(w http.ResponseWriter, r *http.Request, s *session) {
	if !ps.parseForm(w, r) {
		return
	}
	d := ps.accountPage(r, s)
	if d.MFA == nil || !d.MFA.On {
		// Already off (switched off in another tab, say).
		redirect(w, r, ps.links.Me)
		return
	}
	var current string
	if errs := bindForm(r.PostForm, stringField("current_password", &current)); len(errs) > 0 {
		ps.invalid(w, r, d, "mfa-disable", errs)
		return
	}
	if _, err := ps.a.DisablePhone(ps.a.requestContext(r), s.user, current); err != nil {
		ps.fail(w, r, d, "mfa-disable", err)
		return
	}
	ps.clearPending(w, pendingPhone)
	redirect(w, r, ps.links.Me+"?done=mfa-off")
}
