// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const secret = "test-secret-0123456789-abcdefghijklmnop" // 39 bytes

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 123456789, time.UTC) // 1735689600.123456789

func newCodec(t *testing.T, alg, aud string) *Codec {
	t.Helper()
	c, err := NewCodec(secret, alg, aud)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decodePart(t *testing.T, part string) map[string]json.RawMessage {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// handMade signs a payload the way pyjwt does with a per-purpose key,
// HMAC-SHA256(HMAC-SHA256(secret, purpose), header.payload), without going
// through the codec.
func handMade(alg, purpose, header, payload string) string {
	if alg != "HS256" {
		panic("handMade supports HS256 only")
	}
	key := hmac.New(sha256.New, []byte(secret))
	key.Write([]byte(purpose))
	mac := hmac.New(sha256.New, key.Sum(nil))
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestNewCodec(t *testing.T) {
	if _, err := NewCodec(strings.Repeat("x", 31), "HS256", ""); err == nil {
		t.Fatal("31-byte secret accepted")
	} else if !strings.Contains(err.Error(), "at least 32") || strings.Contains(err.Error(), "xxxx") {
		t.Fatalf("unclear or leaking error: %v", err)
	}
	if _, err := NewCodec(strings.Repeat("x", 32), "HS256", ""); err != nil {
		t.Fatalf("32-byte secret refused: %v", err)
	}
	for _, alg := range []string{"none", "RS256", "hs256", "HS1"} {
		if _, err := NewCodec(secret, alg, ""); err == nil {
			t.Errorf("algorithm %q accepted", alg)
		}
	}
	c, err := NewCodec(secret, "", "")
	if err != nil || c.Algorithm() != "HS256" {
		t.Fatalf("empty algorithm: %v, %v; want HS256", c, err)
	}
}

func TestRoundTripEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		t.Run(alg, func(t *testing.T) {
			c := newCodec(t, alg, "")
			token, issued, err := c.Issue(PurposeSession, "user-1", t0, 2*time.Hour, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Parse(token, PurposeSession, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != "user-1" || got.Purpose != PurposeSession || got.ID != issued.ID || got.Audience != "" {
				t.Fatalf("Parse = %+v, issued %+v", got, issued)
			}
			if !got.IssuedAt.Equal(issued.IssuedAt) || !got.ExpiresAt.Equal(issued.ExpiresAt) {
				t.Fatalf("times changed: got iat %v exp %v, issued iat %v exp %v", got.IssuedAt, got.ExpiresAt, issued.IssuedAt, issued.ExpiresAt)
			}
			if got.Extra != nil {
				t.Fatalf("Extra = %v, want nil", got.Extra)
			}
			header := decodePart(t, strings.Split(token, ".")[0])
			if string(header["alg"]) != `"`+alg+`"` || string(header["typ"]) != `"JWT"` {
				t.Fatalf("header = %s", header)
			}
		})
	}
}

func TestIssuedTokenShape(t *testing.T) {
	c := newCodec(t, "HS256", "")
	token, claims, err := c.Issue("email_change", "u1", t0, time.Hour, map[string]string{"new_email": "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(head) != `{"alg":"HS256","typ":"JWT"}` {
		t.Fatalf("header = %s", head)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	want := `{"sub":"u1","jti":"` + claims.ID + `","iat":1735689600.123456,"exp":1735693200,"purpose":"email_change","new_email":"new@example.com"}`
	if string(payload) != want {
		t.Fatalf("payload\n got %s\nwant %s", payload, want)
	}
	if len(claims.ID) != 22 {
		t.Fatalf("jti %q is %d chars, want 22", claims.ID, len(claims.ID))
	}
	if _, err := base64.RawURLEncoding.DecodeString(claims.ID); err != nil {
		t.Fatalf("jti is not base64url: %v", err)
	}
	// The signature uses the per-purpose key HMAC-SHA256(secret, purpose).
	key := hmac.New(sha256.New, []byte(secret))
	key.Write([]byte("email_change"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != parts[2] {
		t.Fatal("signature is not HMAC-SHA256 under the per-purpose key")
	}
	got, err := c.Parse(token, "email_change", t0)
	if err != nil || got.Extra["new_email"] != "new@example.com" {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
}

func TestUniqueJTI(t *testing.T) {
	c := newCodec(t, "HS256", "")
	seen := map[string]bool{}
	for range 100 {
		_, claims, err := c.Issue(PurposeSession, "u", t0, time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[claims.ID] {
			t.Fatalf("duplicate jti %q", claims.ID)
		}
		seen[claims.ID] = true
	}
}

func TestIATText(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Unix(1735689600, 0), "1735689600.0"},
		{time.Unix(1735689600, 120000000), "1735689600.12"},
		{time.Unix(1735689600, 123456789), "1735689600.123456"},
		{time.Unix(1735689600, 1000), "1735689600.000001"},
	}
	c := newCodec(t, "HS256", "")
	for _, tt := range tests {
		token, issued, err := c.Issue(PurposeSession, "u", tt.at, time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		claims := decodePart(t, strings.Split(token, ".")[1])
		if got := string(claims["iat"]); got != tt.want {
			t.Errorf("iat for %v = %s, want %s", tt.at, got, tt.want)
		}
		parsed, err := c.Parse(token, PurposeSession, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if !parsed.IssuedAt.Equal(tt.at.Truncate(time.Microsecond)) || !parsed.IssuedAt.Equal(issued.IssuedAt) {
			t.Errorf("IssuedAt = %v, want %v (microsecond precision)", parsed.IssuedAt, tt.at.Truncate(time.Microsecond))
		}
	}
}

func TestExpiryBoundary(t *testing.T) {
	c := newCodec(t, "HS256", "")
	token, claims, err := c.Issue(PurposeSession, "u", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	// exp = floor(t0 + 1h) = 1735693200; t0 has a fraction, so exp is the
	// whole second before t0 + 1h.
	if want := time.Unix(1735693200, 0); !claims.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt = %v, want %v", claims.ExpiresAt, want)
	}
	if _, err := c.Parse(token, PurposeSession, claims.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Fatalf("just before exp: %v", err)
	}
	for _, at := range []time.Time{claims.ExpiresAt, claims.ExpiresAt.Add(time.Second)} {
		if _, err := c.Parse(token, PurposeSession, at); !errors.Is(err, ErrInvalid) {
			t.Fatalf("at %v (exp %v): err = %v, want ErrInvalid", at, claims.ExpiresAt, err)
		}
	}
}

func TestTamperingRejected(t *testing.T) {
	c := newCodec(t, "HS256", "")
	token, _, err := c.Issue(PurposeSession, "user-1", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	forged := strings.Replace(string(must(base64.RawURLEncoding.DecodeString(parts[1]))), "user-1", "user-2", 1)
	other, err := NewCodec(secret+"x", "HS256", "")
	if err != nil {
		t.Fatal(err)
	}
	otherToken, _, _ := other.Issue(PurposeSession, "user-1", t0, time.Hour, nil)

	sig := []byte(parts[2])
	sig[5] ^= 1
	bad := map[string]string{
		"payload changed":    parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2],
		"signature changed":  parts[0] + "." + parts[1] + "." + string(sig),
		"signature dropped":  parts[0] + "." + parts[1] + ".",
		"other secret":       otherToken,
		"two parts":          parts[0] + "." + parts[1],
		"four parts":         token + ".x",
		"empty":              "",
		"garbage":            "not a token",
		"padded signature":   token + "=",
		"non-base64 payload": parts[0] + ".!!!." + parts[2],
		"huge":               strings.Repeat("a", 10000),
	}
	for name, tok := range bad {
		if _, err := c.Parse(tok, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestWrongPurposeRejected(t *testing.T) {
	c := newCodec(t, "HS256", "")
	token, _, err := c.Issue("email_change", "u", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Parse(token, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("email_change token accepted as session: %v", err)
	}
	// Even signed with the session key, a wrong purpose claim is refused.
	payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":1735689600.0,"exp":1735693200,"purpose":"email_change"}`
	tok := handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload)
	if _, err := c.Parse(tok, PurposeSession, t0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "purpose") {
		t.Fatalf("purpose claim mismatch: err = %v", err)
	}
}

func TestAlgorithmPinned(t *testing.T) {
	c256 := newCodec(t, "HS256", "")
	c512 := newCodec(t, "HS512", "")
	token, _, err := c512.Issue(PurposeSession, "u", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c256.Parse(token, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("HS512 token accepted by HS256 codec: %v", err)
	}

	payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":1735689600.0,"exp":1735693200,"purpose":"session"}`
	enc := base64.RawURLEncoding.EncodeToString
	none := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "."
	if _, err := c256.Parse(none, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf(`alg "none" accepted: %v`, err)
	}
	// A correct HS256 signature under a header that names another algorithm.
	for _, header := range []string{`{"alg":"HS384","typ":"JWT"}`, `{"typ":"JWT"}`, `{"alg":"hs256"}`, `[]`, `{"alg":"HS256","crit":["b64"]}`} {
		tok := handMade("HS256", PurposeSession, header, payload)
		if _, err := c256.Parse(tok, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("header %s accepted: %v", header, err)
		}
	}
	// Without typ the token is fine (pyjwt does not require it).
	if _, err := c256.Parse(handMade("HS256", PurposeSession, `{"alg":"HS256"}`, payload), PurposeSession, t0); err != nil {
		t.Errorf("header without typ refused: %v", err)
	}
}

func TestRequiredClaims(t *testing.T) {
	c := newCodec(t, "HS256", "")
	full := map[string]string{
		"sub":     `"u"`,
		"jti":     `"AAECAwQFBgcICQoLDA0ODw"`,
		"iat":     `1735689599.5`, // before t0: a token from the future is refused
		"exp":     `1735693200`,
		"purpose": `"session"`,
	}
	build := func(skip, replaceKey, replaceValue string) string {
		var parts []string
		for _, k := range []string{"sub", "jti", "iat", "exp", "purpose"} {
			if k == skip {
				continue
			}
			v := full[k]
			if k == replaceKey {
				v = replaceValue
			}
			parts = append(parts, `"`+k+`":`+v)
		}
		return handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, "{"+strings.Join(parts, ",")+"}")
	}
	if _, err := c.Parse(build("", "", ""), PurposeSession, t0); err != nil {
		t.Fatalf("complete token refused: %v", err)
	}
	for _, k := range []string{"sub", "jti", "iat", "exp", "purpose"} {
		if _, err := c.Parse(build(k, "", ""), PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("token without %s: err = %v", k, err)
		}
	}
	for _, r := range [][2]string{{"sub", `""`}, {"sub", `42`}, {"jti", `null`}, {"iat", `"1735689600"`}, {"exp", `"soon"`}, {"exp", `1e300`}, {"purpose", `["session"]`}} {
		if _, err := c.Parse(build("", r[0], r[1]), PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("token with %s=%s: err = %v", r[0], r[1], err)
		}
	}
	for _, payload := range []string{`null`, `[]`, `"x"`, `{`} {
		tok := handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload)
		if _, err := c.Parse(tok, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("payload %s: err = %v", payload, err)
		}
	}
}

// iat later than now means the token was minted by a clock that runs ahead
// or by someone holding the key; there is no leeway. iat equal to now is
// fine (a token is usable the instant it is issued).
func TestIssuedInTheFutureRefused(t *testing.T) {
	c := newCodec(t, "HS256", "")
	token, claims, err := c.Issue(PurposeSession, "u", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Parse(token, PurposeSession, claims.IssuedAt); err != nil {
		t.Fatalf("at exactly iat: %v", err)
	}
	before := claims.IssuedAt.Add(-time.Microsecond)
	if _, err := c.Parse(token, PurposeSession, before); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "future") {
		t.Fatalf("a microsecond before iat: err = %v, want ErrInvalid (issued in the future)", err)
	}
	for _, iat := range []string{`1735689600.123457`, `1735689601`, `1735693199`} {
		payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":` + iat + `,"exp":1735693200,"purpose":"session"}`
		tok := handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload)
		if _, err := c.Parse(tok, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("iat %s at %v: err = %v, want ErrInvalid", iat, t0, err)
		}
	}
}

// nbf is optional (our tokens carry none), but a token that has one is
// refused before that instant and accepted from it on.
func TestNotBefore(t *testing.T) {
	c := newCodec(t, "HS256", "")
	withNBF := func(nbf string) string {
		payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":1735689600,"exp":1735693200,"nbf":` + nbf + `,"purpose":"session"}`
		return handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload)
	}
	nbf := time.Unix(1735689660, 500000000) // t0 + about a minute
	tok := withNBF(`1735689660.5`)
	if _, err := c.Parse(tok, PurposeSession, nbf.Add(-time.Microsecond)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "nbf") {
		t.Fatalf("before nbf: err = %v, want ErrInvalid (nbf)", err)
	}
	for _, at := range []time.Time{nbf, nbf.Add(time.Minute)} {
		if _, err := c.Parse(tok, PurposeSession, at); err != nil {
			t.Errorf("at %v (nbf %v): %v", at, nbf, err)
		}
	}
	if _, err := c.Parse(withNBF(`1735689600`), PurposeSession, t0); err != nil {
		t.Errorf("nbf in the past: %v", err)
	}
	for _, bad := range []string{`"1735689600"`, `null`, `1e300`} {
		if _, err := c.Parse(withNBF(bad), PurposeSession, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("nbf %s: err = %v, want ErrInvalid", bad, err)
		}
	}
	// nbf is a standard claim, never exposed as an extra one.
	claims, err := c.Parse(withNBF(`1735689600`), PurposeSession, t0)
	if err != nil || claims.Extra["nbf"] != "" {
		t.Errorf("claims = %+v, %v", claims, err)
	}
}

func TestIntAndFloatIAT(t *testing.T) {
	c := newCodec(t, "HS256", "")
	tests := []struct {
		iat  string
		want time.Time
	}{
		{`1735689600`, time.Unix(1735689600, 0)},
		{`1735689600.0`, time.Unix(1735689600, 0)},
		{`1735689600.123456`, time.Unix(1735689600, 123456000)},
		{`1735689600.1234559`, time.Unix(1735689600, 123456000)}, // float noise rounds to the microsecond
		{`1.7356896001e9`, time.Unix(1735689600, 100000000)},
	}
	for _, tt := range tests {
		payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":` + tt.iat + `,"exp":1735693200,"purpose":"session"}`
		claims, err := c.Parse(handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload), PurposeSession, t0)
		if err != nil {
			t.Errorf("iat %s: %v", tt.iat, err)
			continue
		}
		if !claims.IssuedAt.Equal(tt.want) {
			t.Errorf("iat %s: IssuedAt = %v, want %v", tt.iat, claims.IssuedAt, tt.want)
		}
	}
}

// Tokens produced by pyjwt 2.6 exactly as the Python regstack does:
//
//	key = hmac.new(secret.encode(), b"session", hashlib.sha256).digest()
//	jwt.encode({"sub": ..., "jti": ..., "iat": 1735689600.123456, "exp": 1735696800,
//	            "purpose": "session"}, key, algorithm="HS256")
func TestAcceptsPyJWTTokens(t *testing.T) {
	const session = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1ZjFjMGQyYWIzZTk0YzBmOGQ2YTdiMWUyYzNkNGU1ZiIsImp0aSI6IkFBRUNBd1FGQmdjSUNRb0xEQTBPRHciLCJpYXQiOjE3MzU2ODk2MDAuMTIzNDU2LCJleHAiOjE3MzU2OTY4MDAsInB1cnBvc2UiOiJzZXNzaW9uIn0.yldvxkqtRioFAqLVVnWehicDPOPQJSeXBOhgEZteCuc"
	c := newCodec(t, "HS256", "")
	claims, err := c.Parse(session, PurposeSession, t0)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != "5f1c0d2ab3e94c0f8d6a7b1e2c3d4e5f" || claims.ID != "AAECAwQFBgcICQoLDA0ODw" {
		t.Fatalf("claims = %+v", claims)
	}
	if want := time.Unix(1735689600, 123456000); !claims.IssuedAt.Equal(want) {
		t.Fatalf("IssuedAt = %v, want %v", claims.IssuedAt, want)
	}
	if want := time.Unix(1735696800, 0); !claims.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt = %v, want %v", claims.ExpiresAt, want)
	}

	// email_change token: int iat, audience, HS384, extra claim.
	//	jwt.encode({..., "iat": 1735689600, "exp": 1735693200, "purpose": "email_change",
	//	            "aud": "my-app", "new_email": "new@example.com"}, key384, algorithm="HS384")
	const change = "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImp0aSI6IkFBRUNBd1FGQmdjSUNRb0xEQTBPRHciLCJpYXQiOjE3MzU2ODk2MDAsImV4cCI6MTczNTY5MzIwMCwicHVycG9zZSI6ImVtYWlsX2NoYW5nZSIsImF1ZCI6Im15LWFwcCIsIm5ld19lbWFpbCI6Im5ld0BleGFtcGxlLmNvbSJ9.Jta1KVgZ99q3I5NCY6PxPy6SxwiibyWdAFpLef2k6nGeRvyjytewK43j0j5IuuN3"
	c384 := newCodec(t, "HS384", "my-app")
	claims, err = c384.Parse(change, "email_change", t0)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Audience != "my-app" || claims.Extra["new_email"] != "new@example.com" || !claims.IssuedAt.Equal(time.Unix(1735689600, 0)) {
		t.Fatalf("claims = %+v", claims)
	}
	if _, err := c384.Parse(change, "email_change", time.Unix(1735693200, 0)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("expired pyjwt token accepted: %v", err)
	}
}

func TestAudience(t *testing.T) {
	withAud := newCodec(t, "HS256", "my-app")
	otherAud := newCodec(t, "HS256", "other-app")
	noAud := newCodec(t, "HS256", "")

	token, claims, err := withAud.Issue(PurposeSession, "u", t0, time.Hour, nil)
	if err != nil || claims.Audience != "my-app" {
		t.Fatalf("Issue: %+v, %v", claims, err)
	}
	if got, err := withAud.Parse(token, PurposeSession, t0); err != nil || got.Audience != "my-app" {
		t.Fatalf("same audience: %+v, %v", got, err)
	}
	if _, err := otherAud.Parse(token, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("other audience accepted: %v", err)
	}
	if _, err := noAud.Parse(token, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("token with aud accepted without a configured audience: %v", err)
	}
	plain, _, _ := noAud.Issue(PurposeSession, "u", t0, time.Hour, nil)
	if _, err := withAud.Parse(plain, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("token without aud accepted with a configured audience: %v", err)
	}
	payload := `{"sub":"u","jti":"AAECAwQFBgcICQoLDA0ODw","iat":1735689600,"exp":1735693200,"purpose":"session","aud":["x","my-app"]}`
	list := handMade("HS256", PurposeSession, `{"alg":"HS256","typ":"JWT"}`, payload)
	if _, err := withAud.Parse(list, PurposeSession, t0); err != nil {
		t.Fatalf("aud list containing the audience refused: %v", err)
	}
	if _, err := otherAud.Parse(list, PurposeSession, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("aud list without the audience accepted: %v", err)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	c := newCodec(t, "HS256", "")
	cases := []struct {
		purpose, subject string
		ttl              time.Duration
		extra            map[string]string
	}{
		{"", "u", time.Hour, nil},
		{PurposeSession, "", time.Hour, nil},
		{PurposeSession, "u", 0, nil},
		{PurposeSession, "u", time.Hour, map[string]string{"sub": "admin"}},
		{PurposeSession, "u", time.Hour, map[string]string{"exp": "9999999999"}},
	}
	for _, tc := range cases {
		if _, _, err := c.Issue(tc.purpose, tc.subject, t0, tc.ttl, tc.extra); err == nil {
			t.Errorf("Issue(%q, %q, %v, %v) succeeded", tc.purpose, tc.subject, tc.ttl, tc.extra)
		}
	}
}

// An issued token is a standard JWT: plain golang-jwt, given the purpose
// key, verifies it and reads the float iat.
func TestStandardJWT(t *testing.T) {
	c := newCodec(t, "HS384", "my-app")
	token, issued, err := c.Issue("email_change", "u1", t0, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := hmac.New(sha256.New, []byte(secret))
	key.Write([]byte("email_change"))
	var claims jwt.MapClaims
	_, err = jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return key.Sum(nil), nil },
		jwt.WithValidMethods([]string{"HS384"}), jwt.WithAudience("my-app"), jwt.WithJSONNumber(),
		jwt.WithTimeFunc(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "u1" || claims["purpose"] != "email_change" || claims["jti"] != issued.ID {
		t.Fatalf("claims = %v", claims)
	}
	if iat, _ := claims["iat"].(json.Number); iat != "1735689600.123456" {
		t.Fatalf("iat = %v, want 1735689600.123456", claims["iat"])
	}
}

// TestPurposeKeysDerivedOnce: NewCodec derives the key of the session and
// of every purpose it is given, and those keys are HMAC-SHA256(secret,
// purpose); a purpose it was not given gets the same key derived on use,
// so codecs built with and without the list accept each other's tokens.
func TestPurposeKeysDerivedOnce(t *testing.T) {
	listed, err := NewCodec(secret, "HS256", "", "login_mfa")
	if err != nil {
		t.Fatal(err)
	}
	plain := newCodec(t, "HS256", "")
	for _, purpose := range []string{PurposeSession, "login_mfa", "unlisted"} {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(purpose))
		if got := listed.purposeKey(purpose); !hmac.Equal(got, m.Sum(nil)) {
			t.Errorf("key of %q is not HMAC-SHA256(secret, purpose)", purpose)
		}
		_, cached := listed.keys[purpose]
		if want := purpose != "unlisted"; cached != want {
			t.Errorf("key of %q derived at start-up: %v, want %v", purpose, cached, want)
		}
		for _, pair := range [][2]*Codec{{listed, plain}, {plain, listed}} {
			token, _, err := pair[0].Issue(purpose, "u1", t0, time.Hour, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pair[1].Parse(token, purpose, t0); err != nil {
				t.Errorf("purpose %q: %v", purpose, err)
			}
		}
	}
	if allocs := testing.AllocsPerRun(10, func() { listed.purposeKey(PurposeSession) }); allocs != 0 {
		t.Errorf("purposeKey(session) allocates %v times, want 0", allocs)
	}
}
