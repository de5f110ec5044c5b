// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/mail"
)

// discardMail drops every message: a fuzzer registers thousands of
// accounts, and a capturing mailbox would grow without bound.
type discardMail struct{}

func (discardMail) Send(context.Context, mail.Message) error { return nil }

// fuzzRoutes are the JSON routes of every host that read a body, and
// whether they need the session token.
var fuzzRoutes = [...]struct {
	method, path string
	authed       bool
}{
	{http.MethodPost, "/register", false},
	{http.MethodPost, "/login", false},
	{http.MethodPost, "/verify", false},
	{http.MethodPost, "/resend-verification", false},
	{http.MethodPatch, "/me", true},
	{http.MethodPost, "/change-email", true},
	{http.MethodPost, "/confirm-email-change", false},
}

// credentialKey is the decoder's rule for keys whose values are never
// echoed in a 422 (decode.go, isSecretField).
func credentialKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.Contains(k, "token") || strings.Contains(k, "secret")
}

// echoesCredential finds an object member named like a credential whose
// value is not null.
func echoesCredential(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if credentialKey(k) && sub != nil || echoesCredential(sub) {
				return true
			}
		}
	case []any:
		for _, sub := range x {
			if echoesCredential(sub) {
				return true
			}
		}
	}
	return false
}

// FuzzAPIBody sends arbitrary bodies, with arbitrary Content-Types, to the
// real handler of every JSON route that reads one (signed in where the
// route needs it), on a real database. Properties: no request makes the
// server answer 5xx; every error body is JSON of the API's shape
// ({"detail": "..."}, or for 422 a list of entries with type, loc, msg and
// input); no 422 entry echoes a credential's value.
func FuzzAPIBody(f *testing.F) {
	cfg := config.Default()
	cfg.DatabaseURL = authtest.DatabaseURL(f)
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		f.Fatal(err)
	}
	cfg.JWTSecret = hex.EncodeToString(secret)
	cfg.PasswordHashMemoryKiB, cfg.PasswordHashTimeCost, cfg.PasswordHashParallelism = 64, 1, 1
	cfg.Email.Backend = "console"
	cfg.RequireVerification = false
	cfg.RateLimitDisabled = true
	cfg.MaxBodyBytes = 4096
	a, err := auth.New(context.Background(), cfg,
		auth.WithMailer(discardMail{}),
		auth.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.Close() })
	h := a.Handler()
	serve := func(method, path, contentType, token string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, cfg.APIPrefix+path, bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}

	// One account, signed in, for the routes that need a session.
	const email, pw = "fuzz@example.com", "correct horse battery"
	creds := []byte(`{"email":"` + email + `","password":"` + pw + `"}`)
	if rec := serve(http.MethodPost, "/register", "application/json", "", creds); rec.Code != http.StatusCreated {
		f.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	rec := serve(http.MethodPost, "/login", "application/json", "", creds)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &login); err != nil || login.AccessToken == "" {
		f.Fatalf("login: %d %s", rec.Code, rec.Body)
	}

	for i := range fuzzRoutes {
		for _, s := range decodeSeedsAPI {
			f.Add(uint8(i), "application/json", []byte(s))
		}
		f.Add(uint8(i), "text/plain", []byte(`{"email":"a@example.com"}`))
		f.Add(uint8(i), "", []byte(`{"email":"a@example.com"}`))
		f.Add(uint8(i), "application/json", bytes.Repeat([]byte(" "), 5000))
	}
	f.Add(uint8(0), "application/json", []byte(`{"email":"new@example.com","password":"correct horse battery","full_name":"New"}`))
	f.Add(uint8(1), "application/json", creds)
	f.Add(uint8(4), "application/json", []byte(`{"full_name":"Ann"}`))
	f.Add(uint8(4), "application/json", []byte(`{"full_name":null}`))
	f.Add(uint8(5), "application/json", []byte(`{"new_email":"other@example.com","current_password":"wrong password"}`))

	f.Fuzz(func(t *testing.T, route uint8, contentType string, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		token := ""
		if rt.authed {
			token = login.AccessToken
		}
		rec := serve(rt.method, rt.path, contentType, token, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s, Content-Type %q, body %q: %d %s", rt.method, rt.path, contentType, body, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: %d answer of type %q", rt.method, rt.path, rec.Code, ct)
		}
		if rec.Code != http.StatusUnprocessableEntity {
			var d struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || d.Detail == "" {
				t.Fatalf("%s %s: %d answer %s is not {\"detail\": \"...\"}", rt.method, rt.path, rec.Code, rec.Body)
			}
			return
		}
		var d struct {
			Detail []map[string]any `json:"detail"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || len(d.Detail) == 0 {
			t.Fatalf("%s %s: 422 answer %s is not {\"detail\": [...]}", rt.method, rt.path, rec.Body)
		}
		for _, e := range d.Detail {
			for _, k := range []string{"type", "loc", "msg", "input"} {
				if _, ok := e[k]; !ok {
					t.Fatalf("%s %s: 422 entry %v lacks %q", rt.method, rt.path, e, k)
				}
			}
			loc, _ := e["loc"].([]any)
			if len(loc) == 0 || loc[0] != "body" {
				t.Fatalf("%s %s: 422 entry %v: loc does not start with \"body\"", rt.method, rt.path, e)
			}
			if len(loc) > 1 && e["type"] != "missing" {
				if name, ok := loc[1].(string); ok && credentialKey(name) && e["input"] != nil {
					t.Fatalf("%s %s: 422 entry %v echoes the credential %q", rt.method, rt.path, e, name)
				}
			}
			if echoesCredential(e["input"]) {
				t.Fatalf("%s %s: 422 entry %v echoes a credential", rt.method, rt.path, e)
			}
		}
	})
}

// decodeSeedsAPI are bodies every route is seeded with.
var decodeSeedsAPI = []string{
	`{}`,
	``,
	`null`,
	`[]`,
	`{"email":"a@example.com","password":"correct horse battery"}`,
	`{"email":"A@EXAMPLE.COM","password":"short"}`,
	`{"token":"not-a-token"}`,
	`{"token":"eyJhbGciOiJIUzI1NiJ9.e30.sig"}`,
	`{"email":"a@example.com","email":"b@example.com"}`,
	`{"Email":"a@example.com","Password":"hunter22hunter22"}`,
	`{"email":1,"password":["x"],"token":{"password":"inner"},"full_name":false}`,
	`{"full_name":"Trent\u202egnp.exe"}`,
	`{"full_name":"` + strings.Repeat("n", 201) + `"}`,
	`{"email":"a@example.com","password":"correct horse battery","extra":{"access_token":"x"}}`,
	`{"email":"a@example.com"`,
	"{\"email\":\"\xff@example.com\",\"password\":\"correct horse battery\"}",
	`{"new_email":"b@example.com","current_password":"` + strings.Repeat("p", 200) + `"}`,
}
