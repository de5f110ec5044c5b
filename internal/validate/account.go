package validate

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// accountFlow walks the account lifecycle with a throw-away account:
// register, verify, login, me, logout, update, change password, reset,
// change email, the SMS second factor when the deployment has it, delete.
// It holds the account's current credentials; the
// password and the tokens never appear in a check's detail.
type accountFlow struct {
	p        *probe
	email    string
	password string
	token    string // the current session, "" when none is held

	markErr error  // why the log source could not be read before register
	pending bool   // register answered with a pending registration
	created bool   // an account exists that the probe must delete
	mfaOn   bool   // the account asks for SMS codes (sms_enrol turned them on)
	blocked string // why the account cannot be used, once it cannot
}

// flowStep is one check of the account flow.
type flowStep struct {
	id string
	fn func(context.Context) (Status, string)
}

func newAccountFlow(p *probe) *accountFlow {
	return &accountFlow{
		p:        p,
		email:    probeAddress(p.opts.ProbeEmailDomain, ""),
		password: probePassword(),
	}
}

// probeAddress is a fresh address probe-<random>[-suffix]@domain.
func probeAddress(domain, suffix string) string {
	local := "probe-" + strings.ToLower(rand.Text()[:12])
	if suffix != "" {
		local += "-" + suffix
	}
	return local + "@" + domain
}

// probePassword is a random password well within the usual length rules.
func probePassword() string { return "Probe-" + rand.Text() }

// run runs the steps in order. Delete comes last and runs whatever failed
// before it, so that a failed probe does not leave its account behind.
func (f *accountFlow) run(ctx context.Context) {
	steps := []flowStep{
		{"register", f.register},
		{"verify", f.verify},
		{"login", f.login},
		{"me", f.me},
		{"logout_revokes", f.logoutRevokes},
		{"update_me", f.updateMe},
		{"change_password_revokes", f.changePasswordRevokes},
		{"password_reset", f.passwordReset},
		{"change_email", f.changeEmail},
	}
	if f.p.doc != nil && f.p.doc.hasPrefix("/phone") {
		steps = append(steps, f.smsSteps()...)
	}
	for _, s := range steps {
		if f.blocked == "" && ctx.Err() != nil {
			f.blocked = "the probe was interrupted"
		}
		if f.blocked != "" {
			f.p.skip(s.id, f.blocked)
			continue
		}
		f.p.check(ctx, s.id, s.fn)
	}
	// An interrupted probe still removes its account, within a bound.
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*f.p.opts.Timeout)
	defer cancel()
	f.p.check(cleanup, "delete", f.deleteAccount)
}

// mark notes the log's tokens and codes before a step that sends mail or
// a text message.
func (f *accountFlow) mark(ctx context.Context) error {
	if f.p.opts.Logs == nil {
		return nil
	}
	if err := f.p.opts.Logs.Mark(ctx); err != nil {
		return fmt.Errorf("reading the log source: %w", err)
	}
	return nil
}

func (f *accountFlow) do(ctx context.Context, method, route, token string, body any) (answer, error) {
	return f.p.c.do(ctx, method, f.p.api(route), token, body)
}

func (f *accountFlow) register(ctx context.Context) (Status, string) {
	if f.p.doc != nil && !f.p.doc.has(http.MethodPost, "/register") {
		f.blocked = "the deployment has no POST /register"
		return Skip, f.blocked
	}
	// A log source that cannot be read fails verify, the step that needs
	// it, not register.
	f.markErr = f.mark(ctx)
	a, err := f.do(ctx, http.MethodPost, "/register", "", map[string]any{"email": f.email, "password": f.password})
	if err != nil {
		f.blocked = "register failed"
		return Fail, err.Error()
	}
	switch {
	case a.Status == http.StatusCreated && a.field("status") == "pending_verification":
		f.pending = true
		return Pass, fmt.Sprintf("%s: %s is pending verification", a, f.email)
	case a.Status == http.StatusCreated:
		f.created = true
		return Pass, fmt.Sprintf("%s: %s created without email verification", a, f.email)
	case a.Status == http.StatusForbidden:
		f.blocked = "registration is closed (allow_registration = false)"
		return Warn, fmt.Sprintf("%s: registration is closed, so the account checks cannot run", a)
	}
	f.blocked = "register failed"
	return Fail, fmt.Sprintf("POST %s answers %s, want 201", f.p.api("/register"), a)
}

func (f *accountFlow) verify(ctx context.Context) (Status, string) {
	if !f.pending {
		return Skip, "the deployment does not require email verification"
	}
	logs := f.p.opts.Logs
	if logs == nil {
		f.blocked = "the account is not verified (no --log-source); its pending registration expires by itself"
		return Skip, "needs the verification mail: pass --log-source"
	}
	token, err := "", f.markErr
	if err == nil {
		token, err = logs.Token(ctx, f.email)
	}
	if err != nil {
		f.blocked = "the account is not verified; its pending registration expires by itself"
		return Fail, "verification mail: " + err.Error()
	}
	a, err := f.do(ctx, http.MethodPost, "/verify", "", map[string]any{"token": token})
	if err != nil {
		f.blocked = "the account is not verified"
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		f.blocked = "the account is not verified"
		return Fail, fmt.Sprintf("POST %s with the mailed token answers %s, want 200", f.p.api("/verify"), a)
	}
	f.created = true
	return Pass, fmt.Sprintf("%s: the mailed token verifies the account", a)
}

func (f *accountFlow) login(ctx context.Context) (Status, string) {
	if err := f.signIn(ctx); err != nil {
		f.blocked = "no session (see login)"
		return Fail, err.Error()
	}
	return Pass, "200 OK: a bearer token"
}

// signIn signs in with the current credentials and keeps the token.
func (f *accountFlow) signIn(ctx context.Context) error {
	f.token = ""
	a, err := f.do(ctx, http.MethodPost, "/login", "", map[string]any{"email": f.email, "password": f.password})
	if err != nil {
		return err
	}
	if a.Status != http.StatusOK {
		return fmt.Errorf("POST %s as %s answers %s, want 200", f.p.api("/login"), f.email, a)
	}
	token, ok := bearerToken(a)
	if !ok {
		if a.field("status") == "mfa_required" {
			return fmt.Errorf("POST %s answers mfa_required: the account asks for an SMS code", f.p.api("/login"))
		}
		return fmt.Errorf("POST %s answers 200 without an access_token of token_type bearer", f.p.api("/login"))
	}
	f.token = token
	return nil
}

// bearerToken returns the access token of a sign-in's answer.
func bearerToken(a answer) (string, bool) {
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(a.Body, &body); err != nil || body.AccessToken == "" || !strings.EqualFold(body.TokenType, "bearer") {
		return "", false
	}
	return body.AccessToken, true
}

// session makes sure a working token is held, signing in again if not.
func (f *accountFlow) session(ctx context.Context) error {
	if f.token != "" {
		if a, err := f.do(ctx, http.MethodGet, "/me", f.token, nil); err == nil && a.Status == http.StatusOK {
			return nil
		}
	}
	if err := f.signIn(ctx); err != nil {
		return fmt.Errorf("signing in again: %w", err)
	}
	return nil
}

// refused checks that token no longer works: GET /me must answer 401.
func (f *accountFlow) refused(ctx context.Context, token, after string) error {
	a, err := f.do(ctx, http.MethodGet, "/me", token, nil)
	if err != nil {
		return err
	}
	if a.Status != http.StatusUnauthorized {
		return fmt.Errorf("the token from before %s still works: GET %s answers %s, want 401", after, f.p.api("/me"), a)
	}
	return nil
}

func (f *accountFlow) me(ctx context.Context) (Status, string) {
	a, err := f.do(ctx, http.MethodGet, "/me", f.token, nil)
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("GET %s with the new token answers %s, want 200", f.p.api("/me"), a)
	}
	if got := a.field("email"); !strings.EqualFold(got, f.email) {
		return Fail, fmt.Sprintf("GET %s answers the email %q, want %s", f.p.api("/me"), got, f.email)
	}
	return Pass, fmt.Sprintf("%s: the probe account", a)
}

func (f *accountFlow) logoutRevokes(ctx context.Context) (Status, string) {
	old := f.token
	f.token = "" // used up either way; the next step signs in again
	a, err := f.do(ctx, http.MethodPost, "/logout", old, nil)
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s answers %s, want 200", f.p.api("/logout"), a)
	}
	if err := f.refused(ctx, old, "logout"); err != nil {
		return Fail, err.Error() + ": logout does not revoke the session"
	}
	return Pass, "logout 200, then the old token is refused (401)"
}

func (f *accountFlow) updateMe(ctx context.Context) (Status, string) {
	if err := f.session(ctx); err != nil {
		return Fail, err.Error()
	}
	const name = "regstack probe"
	a, err := f.do(ctx, http.MethodPatch, "/me", f.token, map[string]any{"full_name": name})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("PATCH %s answers %s, want 200", f.p.api("/me"), a)
	}
	if got := a.field("full_name"); got != name {
		return Fail, fmt.Sprintf("PATCH %s answers full_name %q, want %q", f.p.api("/me"), got, name)
	}
	return Pass, fmt.Sprintf("%s: full_name updated", a)
}

func (f *accountFlow) changePasswordRevokes(ctx context.Context) (Status, string) {
	if err := f.session(ctx); err != nil {
		return Fail, err.Error()
	}
	old, next := f.token, probePassword()
	a, err := f.do(ctx, http.MethodPost, "/change-password", old, map[string]any{"current_password": f.password, "new_password": next})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s answers %s, want 200", f.p.api("/change-password"), a)
	}
	f.password, f.token = next, ""
	if err := f.refused(ctx, old, "the password change"); err != nil {
		return Fail, err.Error() + ": a password change must sign out every session"
	}
	if err := f.signIn(ctx); err != nil {
		return Fail, "with the new password: " + err.Error()
	}
	return Pass, "200; the old token is refused (401) and the new password signs in"
}

func (f *accountFlow) passwordReset(ctx context.Context) (Status, string) {
	if f.p.doc != nil && !(f.p.doc.has(http.MethodPost, "/forgot-password") && f.p.doc.has(http.MethodPost, "/reset-password")) {
		return Skip, "the deployment has no password reset (no /forgot-password and /reset-password in openapi.json)"
	}
	logs := f.p.opts.Logs
	if logs == nil {
		return Skip, "needs the reset mail: pass --log-source"
	}
	if err := f.session(ctx); err != nil {
		return Fail, err.Error()
	}
	if err := f.mark(ctx); err != nil {
		return Fail, err.Error()
	}
	a, err := f.do(ctx, http.MethodPost, "/forgot-password", "", map[string]any{"email": f.email})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusAccepted {
		return Fail, fmt.Sprintf("POST %s answers %s, want 202", f.p.api("/forgot-password"), a)
	}
	token, err := logs.Token(ctx, f.email)
	if err != nil {
		return Fail, "reset mail: " + err.Error()
	}
	old, next := f.token, probePassword()
	a, err = f.do(ctx, http.MethodPost, "/reset-password", "", map[string]any{"token": token, "new_password": next})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s with the mailed token answers %s, want 200", f.p.api("/reset-password"), a)
	}
	f.password, f.token = next, ""
	if err := f.refused(ctx, old, "the reset"); err != nil {
		return Fail, err.Error() + ": a reset must sign out every session"
	}
	if err := f.signIn(ctx); err != nil {
		return Fail, "with the reset password: " + err.Error()
	}
	return Pass, "forgot 202, the mailed token resets the password, the old token is refused (401) and the new password signs in"
}

func (f *accountFlow) changeEmail(ctx context.Context) (Status, string) {
	if f.p.doc != nil && !(f.p.doc.has(http.MethodPost, "/change-email") && f.p.doc.has(http.MethodPost, "/confirm-email-change")) {
		return Skip, "the deployment has no email change (no /change-email and /confirm-email-change in openapi.json)"
	}
	logs := f.p.opts.Logs
	if logs == nil {
		return Skip, "needs the confirmation mail: pass --log-source"
	}
	if err := f.session(ctx); err != nil {
		return Fail, err.Error()
	}
	if err := f.mark(ctx); err != nil {
		return Fail, err.Error()
	}
	next := probeAddress(f.p.opts.ProbeEmailDomain, "new")
	a, err := f.do(ctx, http.MethodPost, "/change-email", f.token, map[string]any{"new_email": next, "current_password": f.password})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusAccepted {
		return Fail, fmt.Sprintf("POST %s answers %s, want 202", f.p.api("/change-email"), a)
	}
	token, err := logs.Token(ctx, next)
	if err != nil {
		return Fail, "confirmation mail: " + err.Error()
	}
	old := f.token
	a, err = f.do(ctx, http.MethodPost, "/confirm-email-change", "", map[string]any{"token": token})
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("POST %s with the mailed token answers %s, want 200", f.p.api("/confirm-email-change"), a)
	}
	f.email, f.token = next, ""
	if err := f.refused(ctx, old, "the email change"); err != nil {
		return Fail, err.Error() + ": an email change must sign out every session"
	}
	if err := f.signIn(ctx); err != nil {
		return Fail, "with the new address: " + err.Error()
	}
	return Pass, fmt.Sprintf("202, the mailed token confirms it, the old token is refused (401) and %s signs in", next)
}

// deleteAccount removes the probe account. It runs after every other step,
// also after failures, whenever an account was created.
func (f *accountFlow) deleteAccount(ctx context.Context) (Status, string) {
	if !f.created {
		if f.pending {
			return Skip, "no account was created (its pending registration expires by itself)"
		}
		return Skip, "no account was created"
	}
	leftBehind := fmt.Sprintf("the probe account %s is left behind: delete it with the admin API (DELETE %s/admin/users/{id})", f.email, f.p.opts.APIPrefix)
	if err := f.session(ctx); err != nil {
		return Warn, fmt.Sprintf("%v; %s", err, leftBehind)
	}
	old := f.token
	a, err := f.do(ctx, http.MethodDelete, "/account", old, map[string]any{"current_password": f.password})
	if err != nil {
		return Fail, fmt.Sprintf("%v; %s", err, leftBehind)
	}
	switch {
	case a.Status == http.StatusNotFound:
		return Warn, fmt.Sprintf("DELETE %s answers %s (enable_account_deletion = false?); %s", f.p.api("/account"), a, leftBehind)
	case a.Status != http.StatusOK:
		return Fail, fmt.Sprintf("DELETE %s answers %s, want 200; %s", f.p.api("/account"), a, leftBehind)
	}
	f.token, f.created = "", false
	if err := f.refused(ctx, old, "the deletion"); err != nil {
		return Fail, err.Error() + ": a deleted account's sessions must end"
	}
	return Pass, fmt.Sprintf("%s: %s deleted, its token is refused (401)", a, f.email)
}
