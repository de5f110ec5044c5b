// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/demo/internal/auth/authtest"
)

func TestMeReturnsUserPublic(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "alice@example.com", "password": pw1, "full_name": "Alice"})
	wantStatus(t, r, http.StatusCreated)
	me := env.Me(t, env.MustLogin(t, "alice@example.com", pw1))
	wantStatus(t, me, http.StatusOK)
	wantUserPublic(t, me)
	if me.Str("id") != r.Str("id") || me.Str("email") != "alice@example.com" || me.Str("full_name") != "Alice" {
		t.Fatalf("/me %s", me)
	}
	for _, secret := range []string{"hashed_password", "password", "password_hash", "tokens_invalidated_after", "_id"} {
		if _, ok := me.JSON[secret]; ok {
			t.Fatalf("/me exposes %q", secret)
		}
	}
	if strings.Contains(string(me.Body), "$argon2id$") {
		t.Fatal("/me leaks the password hash")
	}
	if !timeField(t, me, "created_at").Equal(timeField(t, r, "created_at")) {
		t.Fatalf("created_at changed: %s vs %s", r.Str("created_at"), me.Str("created_at"))
	}
}

func TestMeAuthentication(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	get := func(h ...authtest.Header) *authtest.Response { return env.Do(t, http.MethodGet, "/me", nil, h...) }

	want401(t, get(), detailAuthRequired)
	want401(t, get(authtest.Header{Key: "Authorization", Value: "Basic YWxpY2U6c2VjcmV0"}), detailAuthRequired)
	want401(t, get(authtest.Header{Key: "Authorization", Value: "Bearer"}), detailAuthRequired)
	want401(t, get(authtest.Header{Key: "Authorization", Value: "Bearer "}), detailAuthRequired)
	want401(t, get(authtest.Header{Key: "Authorization", Value: tok}), detailAuthRequired)
	want401(t, get(authtest.Bearer("garbage")), detailBadToken)
	want401(t, get(authtest.Bearer(tok+"x")), detailBadToken)
	want401(t, get(authtest.Bearer(tok[:len(tok)-4])), detailBadToken)
	// The scheme is case-insensitive.
	wantStatus(t, get(authtest.Header{Key: "Authorization", Value: "bearer " + tok}), http.StatusOK)
	wantStatus(t, get(authtest.Header{Key: "Authorization", Value: "BEARER " + tok}), http.StatusOK)
}

func TestPatchMe(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	patch := func(body any) *authtest.Response {
		return env.Do(t, http.MethodPatch, "/me", body, authtest.Bearer(tok))
	}

	r := patch(map[string]any{"full_name": "Alice Liddell"})
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.Str("full_name") != "Alice Liddell" {
		t.Fatalf("full_name not set: %s", r)
	}
	// {} changes nothing (CONTRACT §2.17).
	r = patch(map[string]any{})
	wantStatus(t, r, http.StatusOK)
	if r.Str("full_name") != "Alice Liddell" {
		t.Fatalf("PATCH {} changed full_name: %s", r)
	}
	if me := env.Me(t, tok); me.Str("full_name") != "Alice Liddell" {
		t.Fatalf("after PATCH {}: %s", me)
	}
	// An explicit null clears it.
	r = patch(`{"full_name": null}`)
	wantStatus(t, r, http.StatusOK)
	if v, ok := r.JSON["full_name"]; !ok || v != nil {
		t.Fatalf("PATCH null did not clear full_name: %s", r)
	}
	if me := env.Me(t, tok); me.JSON["full_name"] != nil {
		t.Fatalf("after PATCH null: %s", me)
	}
	r = patch(map[string]any{"full_name": strings.Repeat("n", 200)})
	wantStatus(t, r, http.StatusOK)

	wantValidation(t, patch(map[string]any{"full_name": strings.Repeat("n", 201)}), "full_name", "string_too_long")
	wantValidation(t, patch(map[string]any{"email": "evil@example.com"}), "email", "extra_forbidden")
	wantValidation(t, patch(map[string]any{"is_superuser": true}), "is_superuser", "extra_forbidden")
	wantValidation(t, patch(map[string]any{"full_name": 5}), "full_name", "")
	if me := env.Me(t, tok); me.JSON["is_superuser"] != false || me.Str("email") != "alice@example.com" {
		t.Fatalf("refused PATCH changed the account: %s", me)
	}
}

func TestPatchMeAuthenticatesBeforeValidating(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	want401(t, env.Do(t, http.MethodPatch, "/me", map[string]any{"bogus": 1}), detailAuthRequired)
	want401(t, env.Do(t, http.MethodPatch, "/me", "{not json", authtest.Bearer("x.y.z")), detailBadToken)
}

// BenchmarkMe measures an authenticated GET /me through the real handler
// and database (token check, revocation lookups, user load), without the
// network in between.
func BenchmarkMe(b *testing.B) {
	env := authtest.New(b, noVerification)
	env.MustSignUp(b, "bench@example.com", pw1)
	tok := env.MustLogin(b, "bench@example.com", pw1)
	h := env.Auth.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, env.Path("/me"), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /me: %d %s", rec.Code, rec.Body)
		}
	}
}
