// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
)

// TestOptionalUser: a valid session puts the user in the context, anything
// else (no token, a malformed one, a logged-out one) reaches the handler
// without a user and without an error answer.
func TestOptionalUser(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	env.MustSignUp(t, "alice@example.com", pw1)
	token := env.MustLogin(t, "alice@example.com", pw1)
	loggedOut := env.MustLogin(t, "alice@example.com", pw1)
	if r := env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(loggedOut)); r.Status != http.StatusOK {
		t.Fatalf("logout: %s", r)
	}

	h := env.Auth.OptionalUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := auth.UserFrom(r.Context()); ok {
			w.Write([]byte(u.Email))
			return
		}
		w.Write([]byte("anonymous"))
	}))
	for _, tc := range []struct {
		name, authorization, want string
	}{
		{"valid session", "Bearer " + token, "alice@example.com"},
		{"no header", "", "anonymous"},
		{"malformed token", "Bearer not-a-token", "anonymous"},
		{"logged out", "Bearer " + loggedOut, "anonymous"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.authorization != "" {
			req.Header.Set("Authorization", tc.authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.String() != tc.want {
			t.Errorf("%s: %d %q, want 200 %q", tc.name, rec.Code, rec.Body.String(), tc.want)
		}
	}
}
