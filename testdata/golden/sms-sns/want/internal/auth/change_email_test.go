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
	changeEmailMessage      = "A confirmation link has been sent to the new email address."
	detailEmailTokenInvalid = "Token is invalid or has expired."
)

func changeEmail(t *testing.T, env *authtest.Env, token, newEmail, current string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/change-email",
		map[string]any{"new_email": newEmail, "current_password": current}, authtest.Bearer(token))
}

func confirmEmailChange(t *testing.T, env *authtest.Env, token string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/confirm-email-change", map[string]any{"token": token})
}

// requestEmailChange asks for a move to newEmail and returns the mailed token.
func requestEmailChange(t *testing.T, env *authtest.Env, session, newEmail string) string {
	t.Helper()
	wantMessage(t, changeEmail(t, env, session, newEmail, pw1), http.StatusAccepted, changeEmailMessage)
	tok := authtest.Token(env.Mail.WaitFor(t, newEmail))
	if tok == "" {
		t.Fatal("email-change mail carries no token")
	}
	return tok
}

func TestChangeEmail(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()

	wantMessage(t, changeEmail(t, env, session, "alice.new@example.com", pw1), http.StatusAccepted, changeEmailMessage)
	msg := env.Mail.WaitFor(t, "alice.new@example.com")
	tok := authtest.Token(msg)
	wantURL := env.Config.BaseURL + env.Config.EmailLinkPrefix + "/confirm-email-change?token=" + tok
	if !strings.Contains(msg.Text, wantURL) {
		t.Fatalf("mail text lacks %s:\n%s", wantURL, msg.Text)
	}
	req := authtest.Of[auth.EmailChangeRequested](env.Events)
	if len(req) != 1 || req[0].User == nil || req[0].User.ID != id || req[0].NewEmail != "alice.new@example.com" || req[0].URL != wantURL {
		t.Fatalf("email_change_requested events %+v", req)
	}
	if strings.Contains(req[0].URLWithoutToken, tok) || !strings.Contains(req[0].URLWithoutToken, "[REDACTED]") {
		t.Fatalf("url_without_token %q still carries the token or lacks [REDACTED]", req[0].URLWithoutToken)
	}
	// Nothing changes until the link is followed.
	if me := env.Me(t, session); me.Str("email") != "alice@example.com" {
		t.Fatalf("email changed before confirmation: %s", me)
	}
	env.MustLogin(t, "alice@example.com", pw1)

	env.Clock.Advance(time.Second)
	r := confirmEmailChange(t, env, tok)
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.Str("id") != id || r.Str("email") != "alice.new@example.com" {
		t.Fatalf("confirm answered %s", r)
	}
	changed := authtest.Of[auth.EmailChanged](env.Events)
	if len(changed) != 1 || changed[0].User == nil || changed[0].User.Email != "alice.new@example.com" || changed[0].PreviousEmail != "alice@example.com" {
		t.Fatalf("email_changed events %+v", changed)
	}
	// Sessions are revoked; the old address no longer signs in.
	want401(t, env.Me(t, session), detailBadToken)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
	env.Clock.Advance(time.Millisecond)
	if me := env.Me(t, env.MustLogin(t, "alice.new@example.com", pw1)); me.Str("email") != "alice.new@example.com" {
		t.Fatalf("/me after the change: %s", me)
	}
	// The old address is told about the change.
	if notice := env.Mail.WaitFor(t, "alice@example.com"); authtest.Token(notice) != "" {
		t.Fatalf("the notice to the old address carries a token:\n%s", notice.Text)
	}
}

func TestChangeEmailFailures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, changeEmail(t, env, session, "alice@example.com", pw1), http.StatusBadRequest, "New email is the same as the current email.")
	wantDetail(t, changeEmail(t, env, session, "ALICE@example.com", pw1), http.StatusBadRequest, "New email is the same as the current email.")
	wantDetail(t, changeEmail(t, env, session, "bob@example.com", pw2), http.StatusBadRequest, detailWrongPassword)
	wantValidation(t, changeEmail(t, env, session, "not-an-email", pw1), "new_email", "value_error")
	wantValidation(t, env.Do(t, http.MethodPost, "/change-email", map[string]any{"new_email": "bob@example.com"}, authtest.Bearer(session)), "current_password", "missing")
	want401(t, env.Do(t, http.MethodPost, "/change-email", map[string]any{"new_email": "bob@example.com", "current_password": pw1}), detailAuthRequired)
	want401(t, env.Do(t, http.MethodPost, "/change-email", map[string]any{}), detailAuthRequired)
	settle(t, env)
	if n := len(env.Mail.To("bob@example.com")); n != 0 {
		t.Fatalf("%d mail(s) for refused changes", n)
	}
}

func TestChangeEmailPasswordlessAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	u := createUser(t, env, "google@example.com", "", true, true)
	wantDetail(t, changeEmail(t, env, sessionFor(t, env, u.ID), "other@example.com", "anything"), http.StatusBadRequest, detailNoPasswordSet)
}

// TestChangeEmailToTakenAddressIsAntiEnumerated: CONTRACT §2 makes the
// answer 202 whether or not the address belongs to someone else, and the
// clash sends nothing.
func TestChangeEmailToTakenAddressIsAntiEnumerated(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	signUp(t, env, "bob@example.com", pw2)
	env.Events.Reset()

	taken := changeEmail(t, env, session, "Bob@Example.com", pw1)
	free := changeEmail(t, env, session, "carol@example.com", pw1)
	wantMessage(t, taken, http.StatusAccepted, changeEmailMessage)
	wantMessage(t, free, http.StatusAccepted, changeEmailMessage)
	if string(taken.Body) != string(free.Body) {
		t.Fatalf("bodies differ: %q vs %q", taken.Body, free.Body)
	}
	settle(t, env)
	if n := len(env.Mail.To("bob@example.com")); n != 0 {
		t.Fatalf("%d mail(s) to the owner of the taken address", n)
	}
	if n := len(env.Mail.To("carol@example.com")); n != 1 {
		t.Fatalf("%d mail(s) to the free address, want 1", n)
	}
	for _, e := range authtest.Of[auth.EmailChangeRequested](env.Events) {
		if strings.EqualFold(e.NewEmail, "bob@example.com") {
			t.Fatal("email_change_requested fired for a taken address")
		}
	}
}

func TestConfirmEmailChangeToAddressTakenMeanwhile(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "bob@example.com")
	signUp(t, env, "bob@example.com", pw2)
	wantDetail(t, confirmEmailChange(t, env, tok), http.StatusConflict, "That email address is already in use.")
	env.MustLogin(t, "alice@example.com", pw1)
}

func TestConfirmEmailChangeTokenExpiry(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, s1 := signUp(t, env, "early@example.com", pw1)
	_, s2 := signUp(t, env, "late@example.com", pw1)
	early := requestEmailChange(t, env, s1, "early.new@example.com")
	late := requestEmailChange(t, env, s2, "late.new@example.com")

	env.Clock.Advance(3599 * time.Second)
	wantStatus(t, confirmEmailChange(t, env, early), http.StatusOK)
	env.Clock.Advance(time.Second) // exactly email_change_token_ttl_seconds
	wantDetail(t, confirmEmailChange(t, env, late), http.StatusBadRequest, detailEmailTokenInvalid)
	env.MustLogin(t, "late@example.com", pw1)
}

func TestConfirmEmailChangeIsSingleUse(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "alice.new@example.com")
	wantStatus(t, confirmEmailChange(t, env, tok), http.StatusOK)
	wantDetail(t, confirmEmailChange(t, env, tok), http.StatusBadRequest, detailEmailTokenInvalid)
}

func TestConfirmEmailChangeSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "alice.new@example.com")
	counts := race(20, func() int { return confirmEmailChange(t, env, tok).Status })
	if counts[http.StatusOK] != 1 || counts[http.StatusBadRequest] != 19 {
		t.Fatalf("20 concurrent confirmations answered %v, want exactly one 200 and 19 400", counts)
	}
	if n := len(authtest.Of[auth.EmailChanged](env.Events)); n != 1 {
		t.Fatalf("email_changed fired %d times", n)
	}
}

func TestConfirmEmailChangeTokenDiesWithPasswordChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "alice.new@example.com")
	wantStatus(t, changePassword(t, env, session, pw1, pw2), http.StatusOK)
	wantDetail(t, confirmEmailChange(t, env, tok), http.StatusBadRequest, detailEmailTokenInvalid)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestConfirmEmailChangeRejectsOtherTokens(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	for _, tok := range []string{session, "nope", "", strings.Repeat("A", 43)} {
		wantDetail(t, confirmEmailChange(t, env, tok), http.StatusBadRequest, detailEmailTokenInvalid)
	}
	wantValidation(t, env.Do(t, http.MethodPost, "/confirm-email-change", map[string]any{}), "token", "missing")
}

func TestEmailChangeURLTemplate(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) {
		c.EmailChangeURLTemplate = "{base_url}/settings/email?token={token}"
	})
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "alice.new@example.com")
	want := strings.TrimRight(env.Config.BaseURL, "/") + "/settings/email?token=" + tok
	ev := authtest.Of[auth.EmailChangeRequested](env.Events)
	if len(ev) != 1 || ev[0].URL != want {
		t.Fatalf("email_change_requested %+v, want URL %s", ev, want)
	}
}
