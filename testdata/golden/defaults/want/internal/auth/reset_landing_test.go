// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// The reset link's page exists only with password reset, so its test lives
// in a reset_* file, generated with the flow (landing_test.go has the
// helpers).

// TestResetLinkPage: the reset page asks for the new password (with a
// label); a password the rules refuse shows the form again and keeps the
// token usable.
func TestResetLinkPage(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	site := linkSite(t, env)
	signUp(t, env, "alice@example.com", pw1)
	wantStatus(t, env.Do(t, http.MethodPost, "/forgot-password", map[string]any{"email": "alice@example.com"}), http.StatusAccepted)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))

	p := getPage(t, http.MethodGet, site+"/reset?token="+url.QueryEscape(tok))
	wantPage(t, p, http.StatusOK, "Choose a new password", `<form method="post" action="reset">`,
		`<label for="new_password">`, `<input id="new_password" name="new_password" type="password" autocomplete="new-password"`)

	p = postPage(t, site+"/reset", url.Values{"token": {tok}, "new_password": {"short"}})
	wantPage(t, p, http.StatusUnprocessableEntity, "Choose a password of 8 to 128 characters.", `name="token" value="`+tok+`"`)
	if strings.Contains(p.body, "short") {
		t.Fatalf("the refused password is on the page:\n%s", p.body)
	}

	p = postPage(t, site+"/reset", url.Values{"token": {tok}, "new_password": {pw2}})
	wantPage(t, p, http.StatusOK, "Your password has been changed.")
	env.Clock.Advance(time.Millisecond) // a sign-in at the cutoff instant is refused
	env.MustLogin(t, "alice@example.com", pw2)
	wantPage(t, postPage(t, site+"/reset", url.Values{"token": {tok}, "new_password": {pw1}}), http.StatusBadRequest, "Reset token is invalid or has expired.")
}

// TestResetLinkPagePath: the reset page is listed beside the others while
// the reset route is served, and not with enable_password_reset = false.
func TestResetLinkPagePath(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EmailLinkPrefix = "/account" })
	if paths := env.Auth.LinkPagePaths(); !slices.Contains(paths, "/account/reset") {
		t.Fatalf("paths %v lack /account/reset", paths)
	}
	off := newEnv(t, func(c *config.Config) { c.EnablePasswordReset = false })
	if slices.Contains(off.Auth.LinkPagePaths(), "/reset") {
		t.Fatal("reset page served with enable_password_reset = false")
	}
}
