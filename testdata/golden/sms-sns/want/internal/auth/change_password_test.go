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

const changedMessage = "Password changed. Existing sessions have been signed out."

func changePassword(t *testing.T, env *authtest.Env, token, current, next string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/change-password",
		map[string]any{"current_password": current, "new_password": next}, authtest.Bearer(token))
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, tok := signUp(t, env, "alice@example.com", pw1)
	other := env.MustLogin(t, "alice@example.com", pw1)
	env.Events.Reset()
	env.Clock.Advance(time.Second)

	wantMessage(t, changePassword(t, env, tok, pw1, pw2), http.StatusOK, changedMessage)
	ev := authtest.Of[auth.PasswordChanged](env.Events)
	if len(ev) != 1 || ev[0].User == nil || ev[0].User.ID != id {
		t.Fatalf("password_changed events %+v", ev)
	}
	// Every existing session is signed out, the caller's too.
	want401(t, env.Me(t, tok), detailBadToken)
	want401(t, env.Me(t, other), detailBadToken)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
	env.Clock.Advance(time.Millisecond)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw2)), http.StatusOK)
}

func TestChangePasswordFailures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, changePassword(t, env, tok, pw2, "brand new password"), http.StatusBadRequest, detailWrongPassword)
	wantDetail(t, changePassword(t, env, tok, pw1, pw1), http.StatusBadRequest, "New password must differ from the current password.")
	wantValidation(t, changePassword(t, env, tok, pw1, "short"), "new_password", "string_too_short")
	wantValidation(t, env.Do(t, http.MethodPost, "/change-password", map[string]any{"new_password": pw2}, authtest.Bearer(tok)), "current_password", "missing")
	wantValidation(t, env.Do(t, http.MethodPost, "/change-password", map[string]any{"current_password": pw1, "new_password": pw2, "x": 1}, authtest.Bearer(tok)), "x", "extra_forbidden")
	// current_password has no length rule: a short wrong one is a 400.
	wantDetail(t, changePassword(t, env, tok, "x", pw2), http.StatusBadRequest, detailWrongPassword)
	// Nothing changed.
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	env.MustLogin(t, "alice@example.com", pw1)
	if n := len(authtest.Of[auth.PasswordChanged](env.Events)); n != 0 {
		t.Fatalf("password_changed fired %d times for refused changes", n)
	}
}

func TestChangePasswordAuthenticatesFirst(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	want401(t, env.Do(t, http.MethodPost, "/change-password", map[string]any{"current_password": pw1, "new_password": pw2}), detailAuthRequired)
	want401(t, env.Do(t, http.MethodPost, "/change-password", map[string]any{}), detailAuthRequired)
	want401(t, changePassword(t, env, "bad", pw1, pw2), detailBadToken)
}

func TestChangePasswordPasswordlessAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	u := createUser(t, env, "google@example.com", "", true, true)
	tok := sessionFor(t, env, u.ID)
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	wantDetail(t, changePassword(t, env, tok, "anything", pw2), http.StatusBadRequest, detailNoPasswordSet)
}

func TestChangePasswordClearsLockout(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	for range 4 {
		wantStatus(t, env.Login(t, "alice@example.com", "wrong password"), http.StatusUnauthorized)
	}
	wantStatus(t, changePassword(t, env, tok, pw1, pw2), http.StatusOK)
	for range 4 {
		wantStatus(t, env.Login(t, "alice@example.com", "wrong password"), http.StatusUnauthorized)
	}
	env.Clock.Advance(time.Millisecond) // a sign-in at the cutoff instant is refused
	env.MustLogin(t, "alice@example.com", pw2)
}

// TestBulkRevocationIsExact: the cutoff separates tokens half a millisecond
// apart (CONTRACT §2.19).
func TestBulkRevocationIsExact(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	env.Clock.Set(authtest.Start().Add(time.Hour))
	before := env.MustLogin(t, "alice@example.com", pw1)
	env.Clock.Advance(500 * time.Microsecond)
	wantStatus(t, changePassword(t, env, before, pw1, pw2), http.StatusOK)
	env.Clock.Advance(500 * time.Microsecond)
	after := env.MustLogin(t, "alice@example.com", pw2)

	want401(t, env.Me(t, before), detailBadToken)
	wantStatus(t, env.Me(t, after), http.StatusOK)
}

// TestBulkRevocationAtTheCutoffInstant: a token issued at exactly the cutoff
// is refused (iat <= cutoff), one a microsecond later is accepted.
func TestBulkRevocationAtTheCutoffInstant(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, tok := signUp(t, env, "alice@example.com", pw1)
	env.Clock.Advance(time.Second)
	wantStatus(t, changePassword(t, env, tok, pw1, pw2), http.StatusOK)

	// A sign-in at the cutoff instant would get a revoked session, so it
	// gets none (the store refuses to record it).
	wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)
	env.Clock.Advance(time.Microsecond)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw2)), http.StatusOK)

	// The same holds for tokens minted elsewhere (a Python deployment on
	// the same database): one at the cutoff is refused, one after it works.
	cutoff := env.Clock.Now().Add(-time.Microsecond)
	exp := cutoff.Add(time.Hour).Unix()
	want401(t, env.Me(t, pySessionToken(t, env.Config.JWTSecret, id, unixFloat(cutoff), exp, "")), detailBadToken)
	wantStatus(t, env.Me(t, pySessionToken(t, env.Config.JWTSecret, id, unixFloat(cutoff.Add(time.Microsecond)), exp, "")), http.StatusOK)
}
