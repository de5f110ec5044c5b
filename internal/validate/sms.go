package validate

import (
	"context"
	"fmt"
	"net/http"
)

// The SMS second factor, for a deployment whose OpenAPI document lists
// /phone routes: with the probe account, enrol --probe-phone (sms_enrol),
// sign in with a texted code (sms_login), and switch codes off again
// (sms_disable), so that delete works as for any account. The codes are
// read from the log source, like the mailed tokens; each step asks for one
// code of its own kind (enrolment, sign-in), so the app's cooldown between
// two codes of one kind for a user never makes the probe wait.

// smsSteps are the SMS checks, in order; they run after change_email.
func (f *accountFlow) smsSteps() []flowStep {
	return []flowStep{
		{"sms_enrol", f.smsEnrol},
		{"sms_login", f.smsLogin},
		{"sms_disable", f.smsDisable},
	}
}

// smsSkipped says why the SMS steps cannot run, or "" when they can.
func (f *accountFlow) smsSkipped() string {
	switch {
	case f.p.opts.ProbePhone == "":
		return "--probe-phone is empty"
	case f.p.opts.Logs == nil:
		return "needs the texted codes: pass --log-source"
	}
	return ""
}

func (f *accountFlow) smsEnrol(ctx context.Context) (Status, string) {
	if reason := f.smsSkipped(); reason != "" {
		return Skip, reason
	}
	phone := f.p.opts.ProbePhone
	if err := f.session(ctx); err != nil {
		return Fail, err.Error()
	}
	if err := f.mark(ctx); err != nil {
		return Fail, err.Error()
	}
	a, err := f.do(ctx, http.MethodPost, "/phone/start", f.token, map[string]any{"phone_number": phone, "current_password": f.password})
	if err != nil {
		return Fail, err.Error()
	}
	switch {
	case a.Status == http.StatusTooManyRequests:
		return Fail, fmt.Sprintf("POST %s answers %s: each probe texts two codes to %s, and the app limits the codes one number gets in an hour (sms.max_per_number_per_hour); wait, or pass another --probe-phone",
			f.p.api("/phone/start"), a, phone)
	case a.Status == http.StatusBadRequest:
		return Fail, fmt.Sprintf("POST %s for %s answers %s (if the app refuses the number, pass a mobile number it accepts as --probe-phone)", f.p.api("/phone/start"), phone, a)
	case a.Status == http.StatusServiceUnavailable:
		return Fail, fmt.Sprintf("POST %s answers %s: the app could not send the text message; the probe reads codes from an app with sms.backend = \"console\" (--probe-phone \"\" skips the SMS steps)", f.p.api("/phone/start"), a)
	case a.Status != http.StatusAccepted:
		return Fail, fmt.Sprintf("POST %s answers %s, want 202", f.p.api("/phone/start"), a)
	}
	pending := a.field("pending_token")
	if pending == "" {
		return Fail, fmt.Sprintf("POST %s answers 202 without a pending_token", f.p.api("/phone/start"))
	}
	code, err := f.p.opts.Logs.Code(ctx, phone)
	if err != nil {
		return Fail, "enrolment code: " + err.Error()
	}
	a, err = f.do(ctx, http.MethodPost, "/phone/confirm", "", map[string]any{"pending_token": pending, "code": code})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s with the texted code answers %s, want 200", f.p.api("/phone/confirm"), a)
	}
	// From here on a password alone no longer signs the account in, so
	// sms_disable must run, whatever the answer says.
	f.mfaOn = true
	if on, _ := a.flag("is_mfa_enabled"); !on {
		return Fail, fmt.Sprintf("POST %s answers 200, but not is_mfa_enabled: true", f.p.api("/phone/confirm"))
	}
	return Pass, fmt.Sprintf("start 202, then the code texted to %s confirms the phone: is_mfa_enabled true", phone)
}

// smsLogin signs in with the password and a texted code. The session
// held since sms_enrol is kept until the code has signed in, so that a
// failure here still leaves one to switch codes off and delete the
// account with; then it is logged out.
func (f *accountFlow) smsLogin(ctx context.Context) (Status, string) {
	if reason := f.smsSkipped(); reason != "" {
		return Skip, reason
	}
	if !f.mfaOn {
		return Skip, "SMS codes are not on (see sms_enrol)"
	}
	if err := f.mark(ctx); err != nil {
		return Fail, err.Error()
	}
	a, err := f.do(ctx, http.MethodPost, "/login", "", map[string]any{"email": f.email, "password": f.password})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s answers %s, want 200 with status mfa_required", f.p.api("/login"), a)
	}
	if _, ok := bearerToken(a); ok {
		return Fail, fmt.Sprintf("POST %s signs in with the password alone: the account's SMS codes are not asked for", f.p.api("/login"))
	}
	pending := a.field("mfa_pending_token")
	if a.field("status") != "mfa_required" || pending == "" {
		return Fail, fmt.Sprintf("POST %s answers 200 without status mfa_required and an mfa_pending_token", f.p.api("/login"))
	}
	code, err := f.p.opts.Logs.Code(ctx, f.p.opts.ProbePhone)
	if err != nil {
		return Fail, "sign-in code: " + err.Error()
	}
	a, err = f.do(ctx, http.MethodPost, "/login/mfa-confirm", "", map[string]any{"mfa_pending_token": pending, "code": code})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s with the texted code answers %s, want 200", f.p.api("/login/mfa-confirm"), a)
	}
	token, ok := bearerToken(a)
	if !ok {
		return Fail, fmt.Sprintf("POST %s answers 200 without an access_token of token_type bearer", f.p.api("/login/mfa-confirm"))
	}
	a, err = f.do(ctx, http.MethodGet, "/me", token, nil)
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("GET %s with the token of the code sign-in answers %s, want 200", f.p.api("/me"), a)
	}
	old := f.token
	f.token = token
	if old != "" {
		a, err = f.do(ctx, http.MethodPost, "/logout", old, nil)
		if err != nil {
			return Fail, err.Error()
		}
		if a.Status != http.StatusOK {
			return Fail, fmt.Sprintf("logging out the earlier session: POST %s answers %s, want 200", f.p.api("/logout"), a)
		}
	}
	return Pass, "login answers mfa_required, the texted code signs in (mfa-confirm 200), and its token works on /me"
}

// smsDisable switches the codes off again with the password, as the
// account's owner would; then a password alone signs in again.
func (f *accountFlow) smsDisable(ctx context.Context) (Status, string) {
	if reason := f.smsSkipped(); reason != "" {
		return Skip, reason
	}
	if !f.mfaOn {
		return Skip, "SMS codes are not on (see sms_enrol)"
	}
	if err := f.session(ctx); err != nil {
		return Fail, err.Error() + "; the probe account still asks for SMS codes"
	}
	a, err := f.do(ctx, http.MethodDelete, "/phone", f.token, map[string]any{"current_password": f.password})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("DELETE %s answers %s, want 200", f.p.api("/phone"), a)
	}
	a, err = f.do(ctx, http.MethodGet, "/me", f.token, nil)
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("GET %s after DELETE %s answers %s, want 200", f.p.api("/me"), f.p.api("/phone"), a)
	}
	if on, ok := a.flag("is_mfa_enabled"); !ok || on {
		return Fail, fmt.Sprintf("DELETE %s answers 200, but GET %s does not show is_mfa_enabled: false", f.p.api("/phone"), f.p.api("/me"))
	}
	f.mfaOn = false
	if err := f.signIn(ctx); err != nil {
		return Fail, "with the password alone: " + err.Error()
	}
	return Pass, "200: is_mfa_enabled false, and the password alone signs in again"
}
