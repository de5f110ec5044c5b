// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

func deleteAccount(t *testing.T, env *authtest.Env, token string, body any) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodDelete, "/account", body, authtest.Bearer(token))
}

func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	other := env.MustLogin(t, "alice@example.com", pw1)
	env.Events.Reset()

	wantMessage(t, deleteAccount(t, env, session, map[string]any{"current_password": pw1}), http.StatusOK, "Account deleted.")
	ev := authtest.Of[auth.UserDeleted](env.Events)
	if len(ev) != 1 || ev[0].User == nil || ev[0].User.ID != id || ev[0].User.Email != "alice@example.com" {
		t.Fatalf("user_deleted events %+v", ev)
	}
	want401(t, env.Me(t, session), detailBadToken)
	want401(t, env.Me(t, other), detailBadToken)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
	// The address is free again.
	r := env.Register(t, "alice@example.com", pw2)
	wantStatus(t, r, http.StatusCreated)
	if r.Str("id") == id {
		t.Fatal("a new account reused the deleted id")
	}
}

func TestDeleteAccountFailures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, deleteAccount(t, env, session, map[string]any{"current_password": pw2}), http.StatusBadRequest, detailWrongPassword)
	wantMissingBody(t, deleteAccount(t, env, session, nil))
	wantValidation(t, deleteAccount(t, env, session, map[string]any{}), "current_password", "missing")
	wantValidation(t, deleteAccount(t, env, session, map[string]any{"current_password": pw1, "force": true}), "force", "extra_forbidden")
	want401(t, env.Do(t, http.MethodDelete, "/account", map[string]any{"current_password": pw1}), detailAuthRequired)
	want401(t, env.Do(t, http.MethodDelete, "/account", nil), detailAuthRequired)
	wantStatus(t, env.Me(t, session), http.StatusOK)
	if n := len(authtest.Of[auth.UserDeleted](env.Events)); n != 0 {
		t.Fatalf("user_deleted fired %d times for refused deletions", n)
	}
}

func TestDeleteAccountPasswordlessAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	u := createUser(t, env, "google@example.com", "", true, true)
	wantDetail(t, deleteAccount(t, env, sessionFor(t, env, u.ID), map[string]any{"current_password": "anything"}), http.StatusBadRequest, detailNoPasswordSet)
}

func TestDeleteAccountSwitchedOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnableAccountDeletion = false })
	_, session := signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, deleteAccount(t, env, session, map[string]any{"current_password": pw1}), http.StatusNotFound, "Account deletion is disabled for this application.")
	wantStatus(t, env.Me(t, session), http.StatusOK)
}

func TestDeleteAccountRemovesPendingEmailChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	tok := requestEmailChange(t, env, session, "alice.new@example.com")
	wantStatus(t, deleteAccount(t, env, session, map[string]any{"current_password": pw1}), http.StatusOK)
	if r := confirmEmailChange(t, env, tok); r.Status != http.StatusBadRequest {
		t.Fatalf("confirming a deleted account's email change: %s, want 400", r)
	}
}

func TestDeleteAccountClearsLockout(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	for range 4 {
		wantStatus(t, env.Login(t, "alice@example.com", "wrong password"), http.StatusUnauthorized)
	}
	wantStatus(t, deleteAccount(t, env, session, map[string]any{"current_password": pw1}), http.StatusOK)
	// Register only: a successful login would clear the failures itself.
	wantStatus(t, env.Register(t, "alice@example.com", pw2), http.StatusCreated)
	for range 4 {
		wantStatus(t, env.Login(t, "alice@example.com", "wrong password"), http.StatusUnauthorized)
	}
	env.MustLogin(t, "alice@example.com", pw2)
}

func TestUserDeletedEventName(t *testing.T) {
	t.Parallel()
	checkEventNames(t, map[auth.Event]string{auth.UserDeleted{}: "user_deleted"})
}
