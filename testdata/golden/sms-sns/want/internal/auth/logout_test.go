// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
)

func TestLogoutRevokesOnlyThatToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, first := signUp(t, env, "alice@example.com", pw1)
	second := env.MustLogin(t, "alice@example.com", pw1)
	env.Events.Reset()

	wantMessage(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(first)), http.StatusOK, "Logged out.")
	ev := authtest.Of[auth.UserLoggedOut](env.Events)
	if len(ev) != 1 || ev[0].User == nil || ev[0].User.ID != id {
		t.Fatalf("user_logged_out events %+v", ev)
	}
	want401(t, env.Me(t, first), detailBadToken)
	want401(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(first)), detailBadToken)
	wantStatus(t, env.Me(t, second), http.StatusOK)
	// A fresh login still works.
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw1)), http.StatusOK)
}

func TestLogoutStaysRevokedUntilExpiry(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	wantStatus(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(tok)), http.StatusOK)
	env.Clock.Advance(7199 * time.Second)
	want401(t, env.Me(t, tok), detailBadToken)
}

func TestLogoutRequiresToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	want401(t, env.Do(t, http.MethodPost, "/logout", nil), detailAuthRequired)
	want401(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer("not.a.token")), detailBadToken)
	if n := len(env.Events.Names()); n != 0 {
		t.Fatalf("events fired for refused logouts: %v", env.Events.Names())
	}
}

func TestLogoutIgnoresBody(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	wantMessage(t, env.Do(t, http.MethodPost, "/logout", map[string]any{}, authtest.Bearer(tok)), http.StatusOK, "Logged out.")
}
