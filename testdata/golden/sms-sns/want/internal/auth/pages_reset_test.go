// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// TestPagesForgotAndReset: the forgot form answers the same for any
// address; the emailed link opens the reset page, whose GET leaves the
// token usable; a refused password keeps it usable too.
func TestPagesForgotAndReset(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "nina@example.com", pw1)
	wantPage(t, s.get(t, "/account/login", ""), http.StatusOK, `href="/account/forgot"`)
	wantPage(t, s.get(t, "/account/forgot", ""), http.StatusOK, `action="/account/forgot"`)

	known := s.post(t, "/account/forgot", "", url.Values{"email": {"nina@example.com"}})
	unknown := s.post(t, "/account/forgot", "", url.Values{"email": {"nobody@example.com"}})
	wantPage(t, known, http.StatusOK, "Check your email")
	if known.body != unknown.body {
		t.Errorf("the answer tells a known address from an unknown one:\n%s\n---\n%s", known.body, unknown.body)
	}
	m := env.Mail.WaitFor(t, "nina@example.com")
	if !strings.Contains(m.Text, env.Config.BaseURL+"/account/reset?token=") {
		t.Fatalf("the emailed link does not open the page /account/reset:\n%s", m.Text)
	}
	tok := authtest.Token(m)
	path := "/account/reset?token=" + url.QueryEscape(tok)
	wantPage(t, s.get(t, path, ""), http.StatusOK, `name="token" value="`+tok+`"`, `autocomplete="new-password"`)
	wantPage(t, s.get(t, path, ""), http.StatusOK, `name="token" value="`+tok+`"`)

	p := s.post(t, "/account/reset", "", url.Values{"token": {tok}, "new_password": {"short"}})
	wantPage(t, p, http.StatusUnprocessableEntity, "Use at least 8 characters.", `name="token" value="`+tok+`"`)
	wantRedirect(t, s.post(t, "/account/reset", "", url.Values{"token": {tok}, "new_password": {pw2}}), "/account/login?done=reset")
	wantPage(t, s.post(t, "/account/reset", "", url.Values{"token": {tok}, "new_password": {pw1}}), http.StatusBadRequest,
		"Reset token is invalid or has expired.")
	env.Clock.Advance(time.Millisecond) // a sign-in at the cutoff instant is refused
	s.signIn(t, "nina@example.com", pw2)
}

// TestPagesResetSwitchedOff: with enable_password_reset = false the pages
// neither link nor serve the flow.
func TestPagesResetSwitchedOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnablePasswordReset = false })
	s := newSite(t, env)
	if p := s.get(t, "/account/login", ""); strings.Contains(p.body, "/account/forgot") {
		t.Errorf("the login page links the switched-off flow:\n%s", p.body)
	}
	wantPage(t, s.get(t, "/account/forgot", ""), http.StatusNotFound)
}
