// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package accounts_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme/shop/internal/accounts"
	"github.com/acme/shop/internal/accounts/authtest"
	"github.com/acme/shop/internal/accounts/config"
)

const (
	forgotMessage      = "If an account exists for that email, a reset link has been sent."
	resetMessage       = "Password has been reset. Please sign in."
	detailResetInvalid = "Reset token is invalid or has expired."
)

func forgotPassword(t *testing.T, env *authtest.Env, email string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/forgot-password", map[string]any{"email": email})
}

func resetPassword(t *testing.T, env *authtest.Env, token, next string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/reset-password", map[string]any{"token": token, "new_password": next})
}

// requestReset asks for a reset link and returns its token.
func requestReset(t *testing.T, env *authtest.Env, email string) string {
	t.Helper()
	wantMessage(t, forgotPassword(t, env, email), http.StatusAccepted, forgotMessage)
	tok := authtest.Token(env.Mail.WaitFor(t, email))
	if len(tok) != 43 {
		t.Fatalf("reset token %q is not 43 base64url characters", tok)
	}
	return tok
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()

	wantMessage(t, forgotPassword(t, env, "alice@example.com"), http.StatusAccepted, forgotMessage)
	msg := env.Mail.WaitFor(t, "alice@example.com")
	tok := authtest.Token(msg)
	wantURL := env.Config.BaseURL + env.Config.EmailLinkPrefix + "/reset?token=" + tok
	if !strings.Contains(msg.Text, wantURL) {
		t.Fatalf("reset mail lacks %s:\n%s", wantURL, msg.Text)
	}
	req := authtest.Of[accounts.PasswordResetRequested](env.Events)
	if len(req) != 1 || req[0].User == nil || req[0].User.ID != id || req[0].URL != wantURL {
		t.Fatalf("password_reset_requested events %+v", req)
	}
	if strings.Contains(req[0].URLWithoutToken, tok) || !strings.Contains(req[0].URLWithoutToken, "[REDACTED]") {
		t.Fatalf("url_without_token %q", req[0].URLWithoutToken)
	}
	// Asking alone changes nothing.
	wantStatus(t, env.Me(t, session), http.StatusOK)

	env.Clock.Advance(time.Second)
	wantMessage(t, resetPassword(t, env, tok, pw2), http.StatusOK, resetMessage)
	done := authtest.Of[accounts.PasswordResetCompleted](env.Events)
	if len(done) != 1 || done[0].User == nil || done[0].User.ID != id {
		t.Fatalf("password_reset_completed events %+v", done)
	}
	want401(t, env.Me(t, session), detailBadToken)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
	env.Clock.Advance(time.Millisecond)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw2)), http.StatusOK)
}

func TestForgotPasswordIsAntiEnumerated(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	env.MustSignUp(t, "alice@example.com", pw1)
	createUser(t, env, "disabled@example.com", pw1, false, true)
	wantStatus(t, env.Register(t, "pending@example.com", pw1), http.StatusCreated)
	env.Mail.WaitFor(t, "pending@example.com")
	env.Events.Reset()
	env.Mail.Reset() // both verification mails have arrived

	var bodies []string
	for _, email := range []string{"alice@example.com", "nobody@example.com", "disabled@example.com", "pending@example.com"} {
		r := forgotPassword(t, env, email)
		wantMessage(t, r, http.StatusAccepted, forgotMessage)
		bodies = append(bodies, string(r.Body))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("bodies differ: %q vs %q", bodies[0], b)
		}
	}
	settle(t, env)
	for email, want := range map[string]int{"alice@example.com": 1, "nobody@example.com": 0, "disabled@example.com": 0, "pending@example.com": 0} {
		if n := len(env.Mail.To(email)); n != want {
			t.Errorf("%d reset mail(s) to %s, want %d", n, email, want)
		}
	}
	if n := len(authtest.Of[accounts.PasswordResetRequested](env.Events)); n != 1 {
		t.Errorf("password_reset_requested fired %d times, want 1", n)
	}
}

func TestForgotPasswordFindsEmailCaseInsensitively(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "Alice@example.com", pw1)
	tok := requestReset(t, env, "ALICE@example.com")
	wantStatus(t, resetPassword(t, env, tok, pw2), http.StatusOK)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestResetTokenExpiry(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "early@example.com", pw1)
	signUp(t, env, "late@example.com", pw1)
	early := requestReset(t, env, "early@example.com")
	late := requestReset(t, env, "late@example.com")

	env.Clock.Advance(1799 * time.Second)
	wantStatus(t, resetPassword(t, env, early, pw2), http.StatusOK)
	env.Clock.Advance(time.Second) // exactly password_reset_token_ttl_seconds
	wantDetail(t, resetPassword(t, env, late, pw2), http.StatusBadRequest, detailResetInvalid)
	env.MustLogin(t, "late@example.com", pw1)
}

func TestResetTokenIsSingleUse(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	wantStatus(t, resetPassword(t, env, tok, pw2), http.StatusOK)
	wantDetail(t, resetPassword(t, env, tok, "third password!"), http.StatusBadRequest, detailResetInvalid)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestResetTokenSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	// Each reset reserves a hashing slot before it spends the token; room
	// in the queue for every racer, so all of them reach the token.
	env := newEnv(t, func(c *config.Config) { c.PasswordHashMaxQueue = 20 })
	signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	counts := race(20, func() int { return resetPassword(t, env, tok, pw2).Status })
	if counts[http.StatusOK] != 1 || counts[http.StatusBadRequest] != 19 {
		t.Fatalf("20 concurrent resets answered %v, want exactly one 200 and 19 400", counts)
	}
	if n := len(authtest.Of[accounts.PasswordResetCompleted](env.Events)); n != 1 {
		t.Fatalf("password_reset_completed fired %d times", n)
	}
}

func TestResetTokenDiesWithPasswordChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	wantStatus(t, changePassword(t, env, session, pw1, pw2), http.StatusOK)
	wantDetail(t, resetPassword(t, env, tok, "third password!"), http.StatusBadRequest, detailResetInvalid)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestResetFailures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	for _, bad := range []string{"nope", "", session, strings.Repeat("A", 43)} {
		wantDetail(t, resetPassword(t, env, bad, pw2), http.StatusBadRequest, detailResetInvalid)
	}
	wantValidation(t, resetPassword(t, env, tok, "short"), "new_password", "string_too_short")
	wantValidation(t, env.Do(t, http.MethodPost, "/reset-password", map[string]any{"token": tok}), "new_password", "missing")
	wantValidation(t, forgotPassword(t, env, "not-an-email"), "email", "value_error")
	// The refused attempts did not use the token up.
	wantStatus(t, resetPassword(t, env, tok, pw2), http.StatusOK)
}

func TestResetSetsInitialPasswordForPasswordlessAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	createUser(t, env, "google@example.com", "", true, true)
	tok := requestReset(t, env, "google@example.com")
	wantStatus(t, resetPassword(t, env, tok, pw2), http.StatusOK)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "google@example.com", pw2)
}

func TestResetClearsLockout(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	for range 5 {
		wantStatus(t, env.Login(t, "alice@example.com", "wrong password"), http.StatusUnauthorized)
	}
	wantStatus(t, env.Login(t, "alice@example.com", pw1), http.StatusTooManyRequests)
	if notice := env.Mail.WaitFor(t, "alice@example.com"); !strings.Contains(notice.Subject, "wrong password") {
		t.Fatalf("first mail after the lockout: %q, want the lockout notice", notice.Subject)
	}
	tok := requestReset(t, env, "alice@example.com")
	wantStatus(t, resetPassword(t, env, tok, pw2), http.StatusOK)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestResetURLTemplate(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) {
		c.PasswordResetURLTemplate = "{base_url}/forgot/done?token={token}"
	})
	signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	want := strings.TrimRight(env.Config.BaseURL, "/") + "/forgot/done?token=" + tok
	if ev := authtest.Of[accounts.PasswordResetRequested](env.Events); len(ev) != 1 || ev[0].URL != want {
		t.Fatalf("password_reset_requested %+v, want URL %s", ev, want)
	}
}

func TestPasswordResetCanBeSwitchedOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnablePasswordReset = false })
	signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, forgotPassword(t, env, "alice@example.com"), http.StatusNotFound, detailNotFound)
	wantDetail(t, resetPassword(t, env, "x", pw2), http.StatusNotFound, detailNotFound)
	settle(t, env)
	if n := len(env.Mail.To("alice@example.com")); n != 0 {
		t.Fatalf("%d mail(s) with password reset switched off", n)
	}
}

func TestPasswordResetEventNames(t *testing.T) {
	t.Parallel()
	checkEventNames(t, map[accounts.Event]string{
		accounts.PasswordResetRequested{}: "password_reset_requested",
		accounts.PasswordResetCompleted{}: "password_reset_completed",
	})
}

// TestResetValidationNeverEchoesSecrets: POST /reset-password refuses a
// short password without repeating the token or the password
// (TestValidationNeverEchoesSecrets has the other routes).
func TestResetValidationNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const secret = "s3cr3t-Value"
	r := env.Do(t, http.MethodPost, "/reset-password", `{"token":"`+secret+`","new_password":"x"}`)
	if strings.Contains(string(r.Body), secret) {
		t.Errorf("the secret is in the answer: %s", r.Body)
	}
	if e := wantValidation(t, r, "new_password", "string_too_short"); e["input"] != nil {
		t.Errorf("input %v, want null", e["input"])
	}
}
