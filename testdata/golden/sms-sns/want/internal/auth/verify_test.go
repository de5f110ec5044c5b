// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

const (
	detailVerifyInvalid = "Verification token is invalid or has expired."
	detailVerifyExpired = "Verification token has expired. Request a new one."
	resendMessage       = "If a pending registration exists, a new email has been sent."
)

func verify(t *testing.T, env *authtest.Env, token string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/verify", map[string]any{"token": token})
}

func TestVerifyCreatesVerifiedUser(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Do(t, http.MethodPost, "/register", map[string]any{"email": "alice@example.com", "password": pw1, "full_name": "Alice"}), http.StatusCreated)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	// 32 random bytes, base64url without padding.
	if len(tok) != 43 || strings.ContainsAny(tok, "+/=") {
		t.Fatalf("verification token %q is not 43 base64url characters", tok)
	}
	r := verify(t, env, tok)
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.Str("email") != "alice@example.com" || r.JSON["is_verified"] != true || r.JSON["is_active"] != true || r.Str("full_name") != "Alice" {
		t.Fatalf("verify answered %s", r)
	}
	ev := authtest.Of[auth.UserVerified](env.Events)
	if len(ev) != 1 || ev[0].User == nil || ev[0].User.ID != r.Str("id") || !ev[0].User.IsVerified {
		t.Fatalf("user_verified events %+v", ev)
	}
	me := env.Me(t, env.MustLogin(t, "alice@example.com", pw1))
	wantStatus(t, me, http.StatusOK)
	if me.Str("id") != r.Str("id") {
		t.Fatalf("/me id %q, verify id %q", me.Str("id"), r.Str("id"))
	}
}

func TestVerifyTokenIsSingleUse(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	wantStatus(t, verify(t, env, tok), http.StatusOK)
	wantDetail(t, verify(t, env, tok), http.StatusBadRequest, detailVerifyInvalid)
}

func TestVerifyTokenSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	counts := race(20, func() int { return verify(t, env, tok).Status })
	if counts[http.StatusOK] != 1 || counts[http.StatusBadRequest] != 19 {
		t.Fatalf("20 concurrent verifications answered %v, want exactly one 200 and 19 400", counts)
	}
	if n := len(authtest.Of[auth.UserVerified](env.Events)); n != 1 {
		t.Fatalf("user_verified fired %d times", n)
	}
}

func TestVerifyUnknownToken(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	for _, tok := range []string{"nope", strings.Repeat("A", 43), "", strings.Repeat("x", 5000)} {
		wantDetail(t, verify(t, env, tok), http.StatusBadRequest, detailVerifyInvalid)
	}
	wantValidation(t, env.Do(t, http.MethodPost, "/verify", map[string]any{}), "token", "missing")
	wantValidation(t, env.Do(t, http.MethodPost, "/verify", map[string]any{"token": 5}), "token", "")
}

func TestVerifyTokenExpiry(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "early@example.com", pw1), http.StatusCreated)
	wantStatus(t, env.Register(t, "late@example.com", pw1), http.StatusCreated)
	early := authtest.Token(env.Mail.WaitFor(t, "early@example.com"))
	late := authtest.Token(env.Mail.WaitFor(t, "late@example.com"))

	env.Clock.Advance(86399 * time.Second)
	wantStatus(t, verify(t, env, early), http.StatusOK)
	env.Clock.Advance(time.Second) // exactly verification_token_ttl_seconds
	wantDetail(t, verify(t, env, late), http.StatusBadRequest, detailVerifyExpired)
	// The expired row is gone: a second try is plainly invalid.
	wantDetail(t, verify(t, env, late), http.StatusBadRequest, detailVerifyInvalid)
	wantDetail(t, env.Login(t, "late@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
}

func TestVerifyWhenAccountAlreadyExists(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	// Meanwhile the address became an account by another way.
	createUser(t, env, "alice@example.com", pw2, true, true)
	wantDetail(t, verify(t, env, tok), http.StatusBadRequest, "This email is already registered. Please sign in.")
}

func TestResendVerificationSendsNewLink(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	first := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	env.Events.Reset()

	r := env.Do(t, http.MethodPost, "/resend-verification", map[string]any{"email": "alice@example.com"})
	wantMessage(t, r, http.StatusAccepted, resendMessage)
	second := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	if second == "" || second == first {
		t.Fatalf("resend sent token %q (first %q)", second, first)
	}
	ev := authtest.Of[auth.VerificationRequested](env.Events)
	if len(ev) != 1 || ev[0].Email != "alice@example.com" || !strings.Contains(ev[0].URL, second) {
		t.Fatalf("verification_requested after resend: %+v", ev)
	}
	wantDetail(t, verify(t, env, first), http.StatusBadRequest, detailVerifyInvalid)
	wantStatus(t, verify(t, env, second), http.StatusOK)
}

func TestResendVerificationRenewsExpiredRegistration(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	env.Mail.WaitFor(t, "alice@example.com")
	env.Clock.Advance(2 * 86400 * time.Second)
	wantMessage(t, env.Do(t, http.MethodPost, "/resend-verification", map[string]any{"email": "alice@example.com"}), http.StatusAccepted, resendMessage)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	env.Clock.Advance(86399 * time.Second)
	wantStatus(t, verify(t, env, tok), http.StatusOK)
}

func TestResendVerificationIsAntiEnumerated(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	env.MustSignUp(t, "verified@example.com", pw1)
	wantStatus(t, env.Register(t, "pending@example.com", pw1), http.StatusCreated)
	env.Mail.WaitFor(t, "pending@example.com")
	env.Events.Reset()
	env.Mail.Reset() // both verification mails have arrived

	var bodies []string
	for _, email := range []string{"pending@example.com", "verified@example.com", "nobody@example.com", "PENDING@example.com"} {
		r := env.Do(t, http.MethodPost, "/resend-verification", map[string]any{"email": email})
		wantMessage(t, r, http.StatusAccepted, resendMessage)
		bodies = append(bodies, string(r.Body))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("resend bodies differ: %q vs %q", bodies[0], b)
		}
	}
	settle(t, env)
	if n := len(env.Mail.To("verified@example.com")); n != 0 {
		t.Errorf("%d mail(s) to an already verified account", n)
	}
	if n := len(env.Mail.To("nobody@example.com")); n != 0 {
		t.Errorf("%d mail(s) to an unknown address", n)
	}
	if n := len(env.Mail.To("pending@example.com")); n != 2 {
		t.Errorf("%d resend mail(s) to the pending address, want 2 (one per spelling)", n)
	}
	if n := len(authtest.Of[auth.VerificationRequested](env.Events)); n != 2 {
		t.Errorf("verification_requested fired %d times, want 2 (pending address only)", n)
	}
}

func TestResendVerificationValidation(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantValidation(t, env.Do(t, http.MethodPost, "/resend-verification", map[string]any{"email": "nope"}), "email", "value_error")
	wantValidation(t, env.Do(t, http.MethodPost, "/resend-verification", map[string]any{}), "email", "missing")
}

func TestVerificationURLTemplate(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification, func(c *config.Config) {
		c.VerifyURLTemplate = "{base_url}/welcome?step=1&token={token}"
	})
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	msg := env.Mail.WaitFor(t, "alice@example.com")
	tok := authtest.Token(msg)
	want := strings.TrimRight(env.Config.BaseURL, "/") + "/welcome?step=1&token=" + tok
	ev := authtest.Of[auth.VerificationRequested](env.Events)
	if len(ev) != 1 || ev[0].URL != want {
		t.Fatalf("verification URL %+v, want %s", ev, want)
	}
	if !strings.Contains(msg.Text, want) {
		t.Fatalf("mail text lacks %s:\n%s", want, msg.Text)
	}
	wantStatus(t, verify(t, env, tok), http.StatusOK)
}
