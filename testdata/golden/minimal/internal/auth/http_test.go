// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

func TestUnknownRouteIsJSON404(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, path := range []string{"/no-such-route", "/me/extra", "/login/", "/admin/no-such-route", "/phone/start"} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := env.Do(t, method, path, nil)
			wantDetail(t, r, http.StatusNotFound, detailNotFound)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("%s %s: Content-Type %q", method, path, ct)
			}
		}
	}
}

func TestWrongMethodIsJSON405(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	cases := []struct{ method, path string }{
		{http.MethodGet, "/login"},
		{http.MethodPut, "/register"},
		{http.MethodDelete, "/me"},
		{http.MethodPost, "/me"},
		{http.MethodGet, "/logout"},
		{http.MethodTrace, "/me"},
		{http.MethodTrace, "/login"},
		{http.MethodPost, "/openapi.json"},
	}
	for _, c := range cases {
		r := env.Do(t, c.method, c.path, nil)
		wantDetail(t, r, http.StatusMethodNotAllowed, detailMethodNotAllow)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
	if allow := env.Do(t, http.MethodGet, "/login", nil).Header.Get("Allow"); !strings.Contains(allow, http.MethodPost) {
		t.Fatalf("Allow %q lacks POST", allow)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	responses := map[string]*authtest.Response{
		"login":     env.Login(t, "alice@example.com", pw1),
		"me":        env.Me(t, tok),
		"401":       env.Me(t, "bad"),
		"404":       env.Do(t, http.MethodGet, "/nope", nil),
		"422":       env.Do(t, http.MethodPost, "/login", map[string]any{}),
		"health":    env.Do(t, http.MethodGet, "/health", nil),
		"openapi":   env.Do(t, http.MethodGet, "/openapi.json", nil),
		"bad login": env.Login(t, "alice@example.com", pw2),
	}
	for name, r := range responses {
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", name, got)
		}
		if got := r.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store", name, got)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	big := `{"email":"alice@example.com","password":"` + strings.Repeat("p", 70*1024) + `"}`
	r := env.Do(t, http.MethodPost, "/register", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.Detail() == "" {
		t.Fatalf("70 KiB body: %s, want 413 with a detail", r)
	}
	// Without Content-Length the cap applies while reading.
	req, err := http.NewRequest(http.MethodPost, env.URL("/login"), struct{ *strings.Reader }{strings.NewReader(big)})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if r := env.Send(t, req); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked 70 KiB body: %s, want 413", r)
	}
}

func TestBodyLimitIsConfigurable(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.MaxBodyBytes = 256 })
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "bob@example.com", "password": pw1, "full_name": strings.Repeat("b", 300)})
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
}

func TestWrongContentType(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	body := `{"email":"alice@example.com","password":"` + pw1 + `"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "nonsense/"} {
		r := env.Do(t, http.MethodPost, "/register", body, authtest.Header{Key: "Content-Type", Value: ct})
		// CONTRACT §1: 415 or 422, never 500.
		if r.Status != http.StatusUnsupportedMediaType && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("Content-Type %q: %s, want 415 (or 422)", ct, r)
		}
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		wantStatus(t, env.Do(t, http.MethodPost, "/login", body, authtest.Header{Key: "Content-Type", Value: ct}), http.StatusUnauthorized)
	}
}

func TestMalformedBodiesAre422(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	bodies := []string{
		`{"email": "alice@example.com", "password": `,
		`{"email": "alice@example.com" "password": "x"}`,
		`not json at all`,
		`[]`,
		`null`,
		`"a string"`,
		`42`,
		`{"email":"alice@example.com","password":"` + pw1 + `"} {}`,
		"{\"email\":\"alice@example.com\",\"password\":\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\"}",
		``,
	}
	for _, b := range bodies {
		r := env.Do(t, http.MethodPost, "/login", b)
		wantValidation(t, r, "", "")
	}
}

func TestWrongTypesAre422(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	cases := []struct {
		body  string
		field string
	}{
		{`{"email": 5, "password": "` + pw1 + `"}`, "email"},
		{`{"email": "alice@example.com", "password": 12345678}`, "password"},
		{`{"email": ["alice@example.com"], "password": "` + pw1 + `"}`, "email"},
		{`{"email": {"a": 1}, "password": "` + pw1 + `"}`, "email"},
		{`{"email": null, "password": "` + pw1 + `"}`, "email"},
		{`{"email": true, "password": "` + pw1 + `"}`, "email"},
		{`{"email": "alice@example.com", "password": null}`, "password"},
	}
	for _, c := range cases {
		wantValidation(t, env.Do(t, http.MethodPost, "/login", c.body), c.field, "")
	}
	wantValidation(t, env.Do(t, http.MethodPost, "/register", `{"email": "a@example.com", "password": "`+pw1+`", "full_name": 7}`), "full_name", "")
}

func TestUnknownAndMiscasedKeysAre422(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	r := env.Do(t, http.MethodPost, "/login", map[string]any{"EMAIL": "alice@example.com", "password": pw1})
	wantValidation(t, r, "EMAIL", "extra_forbidden")
	wantValidation(t, r, "email", "missing")
	r = env.Do(t, http.MethodPost, "/login", map[string]any{"email": "alice@example.com", "Password": pw1})
	wantValidation(t, r, "Password", "extra_forbidden")
	wantValidation(t, r, "password", "missing")
	r = env.Do(t, http.MethodPost, "/login", map[string]any{"email": "alice@example.com", "password": pw1, "remember_me": true})
	e := wantValidation(t, r, "remember_me", "extra_forbidden")
	if e["msg"] != "Extra inputs are not permitted" || e["input"] != true {
		t.Fatalf("extra_forbidden entry %v", e)
	}
	// Duplicate keys are refused rather than silently taking one.
	r = env.Do(t, http.MethodPost, "/login", `{"email":"alice@example.com","password":"wrong password","password":"`+pw1+`"}`)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate key: %s, want 422", r)
	}
}

func TestMissingBodyIs422(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, route := range []string{"/register", "/login", "/verify", "/resend-verification", "/confirm-email-change"} {
		wantMissingBody(t, env.Do(t, http.MethodPost, route, nil))
	}
}

// TestBadInputNeverServerErrors throws awkward bodies at every route and
// requires a 4xx answer each time.
func TestBadInputNeverServerErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	routes := []struct{ method, path string }{
		{http.MethodPost, "/register"}, {http.MethodPost, "/verify"}, {http.MethodPost, "/resend-verification"},
		{http.MethodPost, "/login"}, {http.MethodGet, "/me"}, {http.MethodPatch, "/me"},
		{http.MethodPost, "/change-password"}, {http.MethodPost, "/change-email"}, {http.MethodPost, "/confirm-email-change"},
		{http.MethodDelete, "/account"}, {http.MethodPost, "/forgot-password"}, {http.MethodPost, "/reset-password"},
		// Last: logout ignores its body and would revoke the token.
		{http.MethodPost, "/logout"},
	}
	bodies := []string{
		`{`, `[]`, `null`, `{"email":{"$ne":null}}`, `{"token":{"$gt":""}}`, `{"email":"\u0000@example.com","password":"` + pw1 + `"}`,
		`{"email":"` + strings.Repeat("a", 300) + `@example.com","password":"` + pw1 + `"}`,
		`{"new_email":"x@example.com","current_password":"` + strings.Repeat("\u00e9", 5000) + `"}`,
		`{"token":"` + strings.Repeat("%", 2000) + `","new_password":"` + pw2 + `"}`,
		`{"full_name":"` + strings.Repeat("\U0001F600", 200) + `"}`,
		string(bytes.Repeat([]byte{0xff}, 64)),
	}
	for _, rt := range routes {
		for _, b := range bodies {
			for _, hdrs := range [][]authtest.Header{nil, {authtest.Bearer(tok)}} {
				r := env.Do(t, rt.method, rt.path, b, hdrs...)
				if r.Status < 400 && r.Status != 0 {
					continue // some awkward input is valid (a 200-emoji name)
				}
				if r.Status == 0 || r.Status >= 500 {
					t.Fatalf("%s %s %.40q: %s", rt.method, rt.path, b, r)
				}
			}
		}
	}
}
