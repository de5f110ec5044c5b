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

func TestRegisterWithoutVerificationCreatesUser(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "alice@example.com", "password": pw1, "full_name": "Alice"})
	wantStatus(t, r, http.StatusCreated)
	wantUserPublic(t, r)
	if r.Str("email") != "alice@example.com" || r.Str("full_name") != "Alice" {
		t.Fatalf("register answered %s", r)
	}
	for k, want := range map[string]any{"is_active": true, "is_verified": true, "is_superuser": false, "is_mfa_enabled": false, "phone_number": nil, "last_login": nil} {
		if r.JSON[k] != want {
			t.Errorf("%s = %v, want %v", k, r.JSON[k], want)
		}
	}
	ev := authtest.Of[auth.UserRegistered](env.Events)
	if len(ev) != 1 || ev[0].User == nil || ev[0].User.ID != r.Str("id") || ev[0].User.Email != "alice@example.com" {
		t.Fatalf("user_registered events %+v, want one for %s", ev, r.Str("id"))
	}
	if len(authtest.Of[auth.VerificationRequested](env.Events)) != 0 {
		t.Fatal("verification_requested fired although verification is off")
	}
	// The new account can sign in straight away.
	env.MustLogin(t, "alice@example.com", pw1)
}

func TestRegisterFullNameIsOptionalAndNull(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := env.Register(t, "bob@example.com", pw1)
	wantStatus(t, r, http.StatusCreated)
	wantUserPublic(t, r)
	if v, ok := r.JSON["full_name"]; !ok || v != nil {
		t.Fatalf("full_name must be present and null: %s", r)
	}
	r = env.Do(t, http.MethodPost, "/register", map[string]any{"email": "carol@example.com", "password": pw1, "full_name": nil})
	wantStatus(t, r, http.StatusCreated)
	if r.JSON["full_name"] != nil {
		t.Fatalf("explicit null full_name: %s", r)
	}
}

func TestRegisterWithVerificationIsPending(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	r := env.Register(t, "alice@example.com", pw1)
	wantStatus(t, r, http.StatusCreated)
	if keys := jsonKeys(t, r.Body); strings.Join(keys, ",") != "status,email,expires_at" {
		t.Fatalf("pending answer keys %v, want status,email,expires_at", keys)
	}
	if r.Str("status") != "pending_verification" || r.Str("email") != "alice@example.com" {
		t.Fatalf("pending answer %s", r)
	}
	// Python's isoformat: +00:00, no fraction for a whole second.
	if want := authtest.Start().Add(86400*time.Second).Format("2006-01-02T15:04:05") + "+00:00"; r.Str("expires_at") != want {
		t.Fatalf("expires_at %q, want %q", r.Str("expires_at"), want)
	}

	msg := env.Mail.WaitFor(t, "alice@example.com")
	tok := authtest.Token(msg)
	wantURL := env.Config.BaseURL + env.Config.EmailLinkPrefix + "/verify?token=" + tok
	if !strings.Contains(msg.Text, wantURL) {
		t.Fatalf("verification mail text lacks %s:\n%s", wantURL, msg.Text)
	}
	if msg.Subject == "" || msg.From == "" {
		t.Fatalf("verification mail without subject or sender: %+v", msg)
	}
	ev := authtest.Of[auth.VerificationRequested](env.Events)
	if len(ev) != 1 || ev[0].Email != "alice@example.com" || ev[0].URL != wantURL {
		t.Fatalf("verification_requested %+v, want one with URL %s", ev, wantURL)
	}
	if len(authtest.Of[auth.UserRegistered](env.Events)) != 0 {
		t.Fatal("user_registered fired for a pending registration")
	}
	// Pending is not an account: login says unknown user.
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
}

// Registering again with the same password is the same person whose first
// mail went missing: they get a fresh link for their registration, and the
// account keeps their password.
func TestRegisterAgainSamePasswordRenewsLink(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	first := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	wantStatus(t, env.Register(t, "Alice@example.com", pw1), http.StatusCreated)
	second := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	if first == second {
		t.Fatal("re-registering reused the token")
	}
	wantDetail(t, verify(t, env, first), http.StatusBadRequest, detailVerifyInvalid)
	wantStatus(t, verify(t, env, second), http.StatusOK)
	env.MustLogin(t, "alice@example.com", pw1)
}

func TestRegisterDuplicateIs409(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	wantDetail(t, env.Register(t, "alice@example.com", pw2), http.StatusConflict, "An account with that email already exists.")
}

func TestRegisterEmailIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := env.Register(t, "Alice@Example.com", pw1)
	wantStatus(t, r, http.StatusCreated)
	// email-validator semantics: domain lower-cased, local part kept.
	if r.Str("email") != "Alice@example.com" {
		t.Fatalf("stored email %q, want %q", r.Str("email"), "Alice@example.com")
	}
	wantDetail(t, env.Register(t, "alice@example.com", pw2), http.StatusConflict, "An account with that email already exists.")
	wantDetail(t, env.Register(t, "ALICE@EXAMPLE.COM", pw2), http.StatusConflict, "An account with that email already exists.")
	env.MustLogin(t, "alice@example.com", pw1)
	env.MustLogin(t, "ALICE@example.com", pw1)
}

func TestRegisterDuplicateOfVerifiedAccountWithVerification(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	env.MustSignUp(t, "Alice@Example.com", pw1)
	wantDetail(t, env.Register(t, "alice@example.com", pw2), http.StatusConflict, "An account with that email already exists.")
}

func TestRegisterDisabled(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.AllowRegistration = false })
	wantDetail(t, env.Register(t, "alice@example.com", pw1), http.StatusForbidden, "Registration is disabled.")
	settle(t, env)
	if n := len(env.Mail.Messages()); n != 0 {
		t.Fatalf("%d mail(s) sent although registration is disabled", n)
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	post := func(body map[string]any) *authtest.Response {
		return env.Do(t, http.MethodPost, "/register", body)
	}
	e := wantValidation(t, post(map[string]any{"email": "a@example.com", "password": "seven77"}), "password", "string_too_short")
	if e["msg"] != "String should have at least 8 characters" {
		t.Errorf("msg %q", e["msg"])
	}
	wantValidation(t, post(map[string]any{"email": "a@example.com", "password": strings.Repeat("p", 129)}), "password", "string_too_long")
	e = wantValidation(t, post(map[string]any{"password": pw1}), "email", "missing")
	if e["msg"] != "Field required" {
		t.Errorf("msg %q", e["msg"])
	}
	wantValidation(t, post(map[string]any{"email": "a@example.com"}), "password", "missing")
	e = wantValidation(t, post(map[string]any{"email": "a@example.com", "password": pw1, "admin": true}), "admin", "extra_forbidden")
	if e["msg"] != "Extra inputs are not permitted" {
		t.Errorf("msg %q", e["msg"])
	}
	wantValidation(t, post(map[string]any{"email": "a@example.com", "password": pw1, "full_name": strings.Repeat("n", 201)}), "full_name", "string_too_long")
	for _, bad := range []string{"not-an-email", "a@b", "two@@example.com", "user@example.test", "user@localhost", ""} {
		e := wantValidation(t, post(map[string]any{"email": bad, "password": pw1}), "email", "value_error")
		if msg, _ := e["msg"].(string); !strings.HasPrefix(msg, "value is not a valid email address: ") {
			t.Errorf("email %q: msg %q", bad, msg)
		}
	}
}

func TestRegisterBoundaries(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// Lengths count characters, not bytes.
	wantStatus(t, env.Register(t, "eight@example.com", "pässwörd"), http.StatusCreated)
	env.MustLogin(t, "eight@example.com", "pässwörd")
	wantValidation(t, env.Register(t, "seven@example.com", "ääääääa"), "password", "string_too_short")
	long := strings.Repeat("ü", 128)
	wantStatus(t, env.Register(t, "long@example.com", long), http.StatusCreated)
	env.MustLogin(t, "long@example.com", long)
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "name@example.com", "password": pw1, "full_name": strings.Repeat("n", 200)})
	wantStatus(t, r, http.StatusCreated)
	if r.Str("full_name") != strings.Repeat("n", 200) {
		t.Fatal("200-character full_name not kept")
	}
	// Surrounding whitespace and the display-name form are accepted.
	r = env.Register(t, "  Dora <dora@Example.com> ", pw1)
	wantStatus(t, r, http.StatusCreated)
	if r.Str("email") != "dora@example.com" {
		t.Fatalf("normalised email %q, want dora@example.com", r.Str("email"))
	}
}
