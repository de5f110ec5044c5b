// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/store"
)

// Passwords used throughout; all within the 8..128 rule.
const (
	pw1 = "correct horse battery"
	pw2 = "another fine passphrase"
)

// Exact details shared by several flows (reference §1, CONTRACT §2).
const (
	detailAuthRequired   = "Authentication required."
	detailBadToken       = "Invalid or expired token."
	detailBadLogin       = "Invalid email or password."
	detailWrongPassword  = "Current password is incorrect."
	detailNotFound       = "Not Found"
	detailNotVerified    = "Email address has not been verified."
	detailDisabled       = "Account is disabled."
	detailMethodNotAllow = "Method Not Allowed"
)

// userPublicKeys is the UserPublic key order of CONTRACT §1.
var userPublicKeys = []string{"id", "email", "is_active", "is_verified", "is_superuser", "full_name",
	"phone_number", "is_mfa_enabled", "created_at", "updated_at", "last_login"}

var rfc3339Z = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)

// noVerification makes registration create the account at once.
func noVerification(c *config.Config) { c.RequireVerification = false }

// withVerification makes registration go through the emailed link.
func withVerification(c *config.Config) { c.RequireVerification = true }

// newEnv is authtest.New for tests that sign users up directly.
func newEnv(t *testing.T, configure ...func(*config.Config)) *authtest.Env {
	t.Helper()
	return authtest.New(t, append([]func(*config.Config){noVerification}, configure...)...)
}

// signUp creates a verified account and returns its id and a session token.
func signUp(t *testing.T, env *authtest.Env, email, pw string) (id, token string) {
	t.Helper()
	u := env.MustSignUp(t, email, pw)
	id = u.Str("id")
	if id == "" {
		t.Fatalf("sign-up of %s returned no id: %s", email, u)
	}
	return id, env.MustLogin(t, email, pw)
}

func wantStatus(t *testing.T, r *authtest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r)
	}
}

// wantDetail checks status and the exact string detail.
func wantDetail(t *testing.T, r *authtest.Response, status int, detail string) {
	t.Helper()
	if r.Status != status || r.Detail() != detail {
		t.Fatalf("got %s, want %d {\"detail\": %q}", r, status, detail)
	}
}

// wantMessage checks status and the exact {"message": ...} body.
func wantMessage(t *testing.T, r *authtest.Response, status int, message string) {
	t.Helper()
	if r.Status != status || r.Str("message") != message || len(r.JSON) != 1 {
		t.Fatalf("got %s, want %d {\"message\": %q}", r, status, message)
	}
}

// want401 checks a 401 with the detail and the WWW-Authenticate challenge.
func want401(t *testing.T, r *authtest.Response, detail string) {
	t.Helper()
	wantDetail(t, r, http.StatusUnauthorized, detail)
	if got := r.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Fatalf("WWW-Authenticate = %q, want \"Bearer\"", got)
	}
}

// wantValidation checks a 422 in FastAPI's shape with an error located at
// ["body", field] (field "" means anywhere in the body: ["body"], or
// ["body", <offset>] for a JSON syntax error) and, if typ is not "", of that
// type.
func wantValidation(t *testing.T, r *authtest.Response, field, typ string) map[string]any {
	t.Helper()
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", r.Status, r)
	}
	list, ok := r.JSON["detail"].([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("422 detail is not a non-empty list: %s", r)
	}
	for _, item := range list {
		e, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("422 detail item is not an object: %s", r)
		}
		for _, k := range []string{"type", "loc", "msg"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("422 detail item lacks %q: %s", k, r)
			}
		}
		loc, _ := e["loc"].([]any)
		if len(loc) == 0 || loc[0] != "body" {
			t.Fatalf("422 loc %v does not start with \"body\": %s", e["loc"], r)
		}
	}
	for _, item := range list {
		e := item.(map[string]any)
		loc := e["loc"].([]any)
		match := field == "" || (len(loc) == 2 && loc[1] == field)
		if match && (typ == "" || e["type"] == typ) {
			return e
		}
	}
	t.Fatalf("no 422 error at [\"body\", %q] of type %q: %s", field, typ, r)
	return nil
}

// wantMissingBody checks FastAPI's answer to a request without a body:
// 422 [{"type": "missing", "loc": ["body"], "msg": "Field required", ...}].
func wantMissingBody(t *testing.T, r *authtest.Response) {
	t.Helper()
	e := wantValidation(t, r, "", "missing")
	if loc, _ := e["loc"].([]any); len(loc) != 1 || e["msg"] != "Field required" {
		t.Fatalf("missing body reported as %v, want loc [\"body\"] and msg \"Field required\"", e)
	}
}

// jsonKeys returns the top-level keys of a JSON object in the order they
// appear in the raw bytes.
func jsonKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("body is not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("reading key: %v in %s", err, body)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("reading value: %v in %s", err, body)
		}
	}
	return keys
}

// wantUserPublic checks the projection: exact keys in CONTRACT order (raw
// bytes, not a map), types, datetimes RFC 3339 UTC with Z.
func wantUserPublic(t *testing.T, r *authtest.Response) {
	t.Helper()
	if keys := jsonKeys(t, r.Body); !slices.Equal(keys, userPublicKeys) {
		t.Fatalf("UserPublic keys %v, want %v", keys, userPublicKeys)
	}
	if id, _ := r.JSON["id"].(string); id == "" {
		t.Fatalf("id is not a non-empty string: %s", r)
	}
	for _, k := range []string{"is_active", "is_verified", "is_superuser", "is_mfa_enabled"} {
		if _, ok := r.JSON[k].(bool); !ok {
			t.Fatalf("%s is %T, want bool: %s", k, r.JSON[k], r)
		}
	}
	for _, k := range []string{"created_at", "updated_at", "last_login"} {
		v := r.JSON[k]
		if v == nil && k == "last_login" {
			continue
		}
		if s, _ := v.(string); !rfc3339Z.MatchString(s) {
			t.Fatalf("%s = %v, want RFC 3339 UTC ending in Z: %s", k, v, r)
		}
	}
}

// timeField parses a datetime member of the response.
func timeField(t *testing.T, r *authtest.Response, key string) time.Time {
	t.Helper()
	s := r.Str(key)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q is not RFC 3339: %v", key, s, err)
	}
	return tm
}

// claimsOf decodes a JWT's payload without verifying it.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return claims
}

// purposeKey is the reference's per-purpose signing key.
func purposeKey(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// signHS256 builds a token by hand from raw header and payload JSON.
func signHS256(key []byte, header, payload string) string {
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// pySessionToken mints a session token the way the Python package does
// (claims in its order, iat as given: a float or an int literal).
func pySessionToken(t *testing.T, secret, sub, iat string, exp int64, extra string) string {
	t.Helper()
	payload := `{"sub":"` + sub + `","jti":"` + randomJTI(t) + `","iat":` + iat + `,"exp":` + jsonInt(exp) + `,"purpose":"session"` + extra + `}`
	return signHS256(purposeKey(secret, "session"), `{"alg":"HS256","typ":"JWT"}`, payload)
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func randomJTI(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// race runs fn n times at once (released together) and counts the statuses.
func race(n int, fn func() int) map[int]int {
	start := make(chan struct{})
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	return counts
}

// sideStore opens a second handle on the Env's database for arranging state
// the API cannot create (disabled, unverified or password-less accounts).
func sideStore(t *testing.T, env *authtest.Env) store.Store {
	t.Helper()
	s, err := auth.OpenStoreForTest(context.Background(), env.Config)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// createUser inserts an account directly; pw "" makes a password-less
// (Google-only) account.
func createUser(t *testing.T, env *authtest.Env, email, pw string, active, verified bool) *store.User {
	t.Helper()
	hash := ""
	if pw != "" {
		h := password.NewHasher(password.Params{
			MemoryKiB:   uint32(env.Config.PasswordHashMemoryKiB),
			TimeCost:    uint32(env.Config.PasswordHashTimeCost),
			Parallelism: uint8(env.Config.PasswordHashParallelism),
			SaltLen:     16,
			KeyLen:      32,
		}, password.Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
		var err error
		if hash, err = h.Hash(context.Background(), pw); err != nil {
			t.Fatalf("hash: %v", err)
		}
	}
	idb := make([]byte, 16)
	if _, err := rand.Read(idb); err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now()
	u := &store.User{
		ID: hex.EncodeToString(idb), Email: email, PasswordHash: hash,
		IsActive: active, IsVerified: verified, CreatedAt: now, UpdatedAt: now,
	}
	if err := sideStore(t, env).CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// sessionFor mints a valid session token for a user id at the Env's clock,
// for accounts that cannot log in with a password.
func sessionFor(t *testing.T, env *authtest.Env, userID string) string {
	t.Helper()
	now := env.Clock.Now()
	return pySessionToken(t, env.Config.JWTSecret, userID, unixFloat(now), now.Add(time.Hour).Unix(), "")
}

// settle closes the Env so every mail the requests caused has been handed
// to the mailbox; after it, an absent message is really absent.
func settle(t *testing.T, env *authtest.Env) {
	t.Helper()
	if err := env.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}
