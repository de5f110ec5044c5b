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
	"unicode/utf8"
)

// fuzzNow is the clock of the fuzz targets: 2025-01-01T00:00:00.5Z.
var fuzzNow = time.Date(2025, 1, 1, 0, 0, 0, 500_000_000, time.UTC)

// signFuzz signs header.payload the way pyjwt does for HS256 with the
// per-purpose key HMAC-SHA256(secret, purpose), so a fuzzed payload gets
// past the signature check and exercises the claim checks behind it.
func signFuzz(purpose, header, payload string) string {
	key := hmac.New(sha256.New, []byte(secret))
	key.Write([]byte(purpose))
	mac := hmac.New(sha256.New, key.Sum(nil))
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// checkParsed holds for every token Parse accepts: the required claims
// are there, the purpose is the one asked for, the token is live at now
// (iat <= now < exp), and no reserved claim leaks into Extra.
func checkParsed(t *testing.T, c *Codec, token, purpose string, claims Claims) {
	t.Helper()
	switch {
	case claims.Subject == "" || claims.ID == "":
		t.Fatalf("Parse(%q) accepted a token without sub or jti: %+v", token, claims)
	case claims.Purpose != purpose:
		t.Fatalf("Parse(%q, %q) accepted purpose %q", token, purpose, claims.Purpose)
	case claims.IssuedAt.After(fuzzNow):
		t.Fatalf("Parse(%q) accepted iat %v after now %v", token, claims.IssuedAt, fuzzNow)
	case !fuzzNow.Before(claims.ExpiresAt):
		t.Fatalf("Parse(%q) accepted exp %v at now %v", token, claims.ExpiresAt, fuzzNow)
	case claims.Audience != c.audience:
		t.Fatalf("Parse(%q) returned audience %q, configured %q", token, claims.Audience, c.audience)
	}
	for _, name := range reserved {
		if _, ok := claims.Extra[name]; ok {
			t.Fatalf("Parse(%q): reserved claim %q in Extra", token, name)
		}
	}
}

// FuzzParse hands Parse arbitrary text as a token. Properties: it never
// panics; every refusal wraps ErrInvalid; and since the fuzzer cannot forge
// the HMAC, the only token it can get accepted is the valid seed (or a
// spelling of it that decodes to the same bytes: base64 leaves a few
// unused bits in the signature's last character), with exactly the claims
// it was issued with, under the purpose it was issued for.
func FuzzParse(f *testing.F) {
	c, err := NewCodec(secret, "HS256", "")
	if err != nil {
		f.Fatal(err)
	}
	// Signed by hand rather than by Issue: Issue draws a random jti, and
	// the fuzzing engine's coordinator and workers are separate processes
	// that must agree on the seed.
	valid := signFuzz(PurposeSession, `{"alg":"HS256","typ":"JWT"}`,
		`{"sub":"u1","jti":"j1","iat":1735689540.5,"exp":1735693140,"purpose":"session","new_email":"a@b.c"}`)
	parts := strings.Split(valid, ".")
	for _, s := range []string{
		valid,
		"",
		".",
		"..",
		"a.b.c",
		"a.b.c.d",
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1],
		parts[0] + ".." + parts[2],
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",         // alg none
		"eyJhbGciOiJIUzI1NiJ9.bnVsbA." + parts[2],                       // payload null
		"eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19." + parts[1] + ".sig", // crit
		strings.Repeat("A", maxTokenBytes+1),
		valid + "=",
		" " + valid,
		strings.ToUpper(valid),
		"Bearer " + valid,
	} {
		f.Add(s, PurposeSession)
	}
	f.Add(valid, "verify")
	f.Fuzz(func(t *testing.T, token, purpose string) {
		claims, err := c.Parse(token, purpose, fuzzNow)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) = %v, which does not wrap ErrInvalid", token, err)
			}
			return
		}
		if purpose != PurposeSession || claims.ID != "j1" || claims.Subject != "u1" ||
			!claims.IssuedAt.Equal(fuzzNow.Add(-time.Minute)) || claims.Extra["new_email"] != "a@b.c" || len(claims.Extra) != 1 {
			t.Fatalf("Parse(%q, %q) accepted a token the fuzzer made up: %+v", token, purpose, claims)
		}
		checkParsed(t, c, token, purpose, claims)
	})
}

// FuzzParsePayload signs arbitrary header and payload JSON with the right
// key, so every claim check runs on hostile input: types, numbers of every
// shape for iat/exp/nbf, aud as a string or a list, crit, alg. Properties:
// no panic; refusals wrap ErrInvalid; an accepted token passes checkParsed;
// and a header naming another algorithm is never accepted.
func FuzzParsePayload(f *testing.F) {
	const hs256 = `{"alg":"HS256","typ":"JWT"}`
	for _, s := range [][2]string{
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599.5,"exp":1735693200,"purpose":"session"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","new_email":"a@b.c"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689600.5,"exp":1735693200,"purpose":"session"}`},      // iat == now
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689600.500001,"exp":1735693200,"purpose":"session"}`}, // iat just after now
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735689600,"purpose":"session"}`},        // expired
		{hs256, `{"sub":"u1","jti":"j1","iat":1.7356896e9,"exp":1.7356932e9,"purpose":"session"}`},      // exponents
		{hs256, `{"sub":"u1","jti":"j1","iat":-1,"exp":1e300,"purpose":"session"}`},                     // out of range
		{hs256, `{"sub":"u1","jti":"j1","iat":"1735689599","exp":1735693200,"purpose":"session"}`},      // quoted
		{hs256, `{"sub":"u1","jti":"j1","iat":null,"exp":1735693200,"purpose":"session"}`},              // null
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"nbf":1735689601,"purpose":"session"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","aud":"x"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","aud":["x",1]}`},
		{hs256, `{"sub":1,"jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{hs256, `{"sub":"","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"verify"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","sub":"u2"}`}, // duplicate key
		{hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":99999999999999999999,"purpose":"session"}`},
		{hs256, `{"sub":"u1","jti":"j1","iat":-0.0000005,"exp":1735693200.9999995,"purpose":"session"}`},
		{hs256, `[]`},
		{hs256, `null`},
		{hs256, `{}`},
		{hs256, `not json`},
		{`{"alg":"HS512","typ":"JWT"}`, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{`{"alg":"none"}`, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{`{"alg":"HS256","crit":["exp"]}`, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{`{"alg":"HS256","kid":"../../etc/passwd"}`, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`},
		{`{"alg":["HS256"]}`, `{}`},
		{`null`, `{}`},
	} {
		f.Add(s[0], s[1], "")
	}
	f.Add(hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","aud":"api"}`, "api")
	f.Add(hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session","aud":["web","api"]}`, "api")
	f.Add(hs256, `{"sub":"u1","jti":"j1","iat":1735689599,"exp":1735693200,"purpose":"session"}`, "api")

	codecs := map[string]*Codec{}
	f.Fuzz(func(t *testing.T, header, payload, audience string) {
		c := codecs[audience]
		if c == nil {
			var err error
			if c, err = NewCodec(secret, "HS256", audience); err != nil {
				t.Fatal(err)
			}
			if len(codecs) < 64 {
				codecs[audience] = c
			}
		}
		token := signFuzz(PurposeSession, header, payload)
		claims, err := c.Parse(token, PurposeSession, fuzzNow)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(header %q, payload %q) = %v, which does not wrap ErrInvalid", header, payload, err)
			}
			return
		}
		checkParsed(t, c, token, PurposeSession, claims)
		var h struct {
			Alg string `json:"alg"`
		}
		if json.Unmarshal([]byte(header), &h) != nil || h.Alg != "HS256" {
			t.Fatalf("accepted a header that does not name HS256: %q", header)
		}
	})
}

// FuzzIssueParse is the round trip: whatever Issue accepts, Parse gives
// back (subject, purpose, extra claims, iat to the microsecond, exp to the
// second), on every algorithm, and Parse refuses it under another purpose.
func FuzzIssueParse(f *testing.F) {
	f.Add("session", "u1", "new_email", "a@b.c", int64(3600), uint8(0))
	f.Add("verify", "0190c3e4-7f5a-7c3e-9a2b-123456789abc", "", "", int64(1), uint8(1))
	f.Add("email_change", "ü\u202e\x00\"\\", "x\ny", "\xff", int64(86400), uint8(2))
	f.Add("a", "b", "sub", "spoof", int64(60), uint8(0))
	f.Add("a", "b", "c", "d", int64(-5), uint8(0))
	f.Add("0", "\x93\xa0", "0", "0", int64(3600), uint8(0))                       // two invalid bytes: two U+FFFD
	f.Add("00000", "0000", "00", strings.Repeat(">", 6000), int64(174), uint8(0)) // longer than Parse accepts
	f.Fuzz(func(t *testing.T, purpose, subject, extraName, extraValue string, ttlSeconds int64, alg uint8) {
		algs := [...]string{"HS256", "HS384", "HS512"}
		c, err := NewCodec(secret, algs[int(alg)%len(algs)], "")
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(purpose) {
			// Purposes are constants of the code; JSON would carry an
			// invalid one as U+FFFD, which then names another purpose.
			return
		}
		var extra map[string]string
		if extraName != "" {
			extra = map[string]string{extraName: extraValue}
		}
		ttl := time.Duration(ttlSeconds%(400*24*3600)) * time.Second
		now := fuzzNow.Add(-time.Second)
		token, issued, err := c.Issue(purpose, subject, now, ttl, extra)
		if err != nil {
			return // empty purpose or subject, ttl <= 0, a reserved extra name
		}
		got, err := c.Parse(token, purpose, now)
		if !issued.ExpiresAt.After(now) {
			// exp is floor(now + ttl): a ttl under a second can end at once.
			if err == nil {
				t.Fatalf("token with exp %v accepted at %v", issued.ExpiresAt, now)
			}
			return
		}
		if err != nil {
			t.Fatalf("Issue(%q, %q, ttl %v, %v) made a token Parse refuses: %v", purpose, subject, ttl, extra, err)
		}
		// JSON carries invalid UTF-8 as U+FFFD, so compare with what it
		// can carry.
		if got.Subject != viaJSON(subject) || got.Purpose != purpose || got.ID != issued.ID ||
			!got.IssuedAt.Equal(issued.IssuedAt) || !got.ExpiresAt.Equal(issued.ExpiresAt) {
			t.Fatalf("round trip changed the claims:\nissued %+v\nparsed %+v", issued, got)
		}
		if extraName != "" && got.Extra[viaJSON(extraName)] != viaJSON(extraValue) {
			t.Fatalf("extra claim %q=%q came back as %v", extraName, extraValue, got.Extra)
		}
		if _, err := c.Parse(token, purpose+"x", now); err == nil {
			t.Fatalf("token for purpose %q accepted as %q", purpose, purpose+"x")
		}
	})
}

// viaJSON is s as a JSON string carries it: invalid UTF-8 becomes U+FFFD,
// one per byte.
func viaJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}
