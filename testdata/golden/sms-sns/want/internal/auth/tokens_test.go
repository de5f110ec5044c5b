// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"example.com/demo/internal/auth/config"
)

// unixFloat renders t as Python's time.time() float: seconds with up to
// microsecond precision, always with a fraction.
func unixFloat(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
}

func TestPythonMintedSessionTokenIsAccepted(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	now := env.Clock.Now()
	exp := now.Add(time.Hour).Unix()

	floatIat := pySessionToken(t, env.Config.JWTSecret, id, unixFloat(now.Add(-1500*time.Microsecond)), exp, "")
	wantStatus(t, env.Me(t, floatIat), http.StatusOK)
	intIat := pySessionToken(t, env.Config.JWTSecret, id, strconv.FormatInt(now.Add(-time.Second).Unix(), 10), exp, "")
	me := env.Me(t, intIat)
	wantStatus(t, me, http.StatusOK)
	if me.Str("id") != id {
		t.Fatalf("/me with a hand-made token: %s", me)
	}
}

func TestForgedTokensAreRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	secret := env.Config.JWTSecret
	now := env.Clock.Now()
	iat := unixFloat(now)
	exp := now.Add(time.Hour).Unix()
	claims := func(purpose, extra string) string {
		return `{"sub":"` + id + `","jti":"` + randomJTI(t) + `","iat":` + iat + `,"exp":` + strconv.FormatInt(exp, 10) + `,"purpose":"` + purpose + `"` + extra + `}`
	}
	hs256 := `{"alg":"HS256","typ":"JWT"}`
	b64 := base64.RawURLEncoding.EncodeToString
	hs512 := func(key []byte, header, payload string) string {
		in := b64([]byte(header)) + "." + b64([]byte(payload))
		m := hmac.New(sha512.New, key)
		m.Write([]byte(in))
		return in + "." + b64(m.Sum(nil))
	}

	cases := map[string]string{
		"raw secret instead of purpose key": signHS256([]byte(secret), hs256, claims("session", "")),
		"other secret":                      signHS256(purposeKey(secret+"x", "session"), hs256, claims("session", "")),
		"session key, other purpose":        signHS256(purposeKey(secret, "session"), hs256, claims("email_change", `,"new_email":"x@example.com"`)),
		"email_change key and purpose":      signHS256(purposeKey(secret, "email_change"), hs256, claims("email_change", `,"new_email":"x@example.com"`)),
		"HS512 while HS256 is configured":   hs512(purposeKey(secret, "session"), `{"alg":"HS512","typ":"JWT"}`, claims("session", "")),
		"alg none":                          b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(claims("session", ""))) + ".",
		"aud without jwt_audience":          signHS256(purposeKey(secret, "session"), hs256, claims("session", `,"aud":"someone"`)),
		"unknown user":                      pySessionToken(t, secret, "0123456789abcdef0123456789abcdef", iat, exp, ""),
		"missing jti":                       signHS256(purposeKey(secret, "session"), hs256, `{"sub":"`+id+`","iat":`+iat+`,"exp":`+strconv.FormatInt(exp, 10)+`,"purpose":"session"}`),
		"missing exp":                       signHS256(purposeKey(secret, "session"), hs256, `{"sub":"`+id+`","jti":"j","iat":`+iat+`,"purpose":"session"}`),
		"missing purpose":                   signHS256(purposeKey(secret, "session"), hs256, `{"sub":"`+id+`","jti":"j","iat":`+iat+`,"exp":`+strconv.FormatInt(exp, 10)+`}`),
		"string exp":                        signHS256(purposeKey(secret, "session"), hs256, `{"sub":"`+id+`","jti":"j","iat":`+iat+`,"exp":"`+strconv.FormatInt(exp, 10)+`","purpose":"session"}`),
		"expired":                           pySessionToken(t, secret, id, unixFloat(now.Add(-2*time.Hour)), now.Unix(), ""),
		"two segments":                      b64([]byte(hs256)) + "." + b64([]byte(claims("session", ""))),
		"not base64":                        "@@@.@@@.@@@",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			want401(t, env.Me(t, tok), detailBadToken)
		})
	}
}

func TestSessionTokenExpiry(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	env.Clock.Advance(7199 * time.Second)
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	env.Clock.Advance(time.Second) // exactly jwt_ttl_seconds
	want401(t, env.Me(t, tok), detailBadToken)
}

func TestSessionTTLIsConfigurable(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.JWTTTLSeconds = 60 })
	signUp(t, env, "alice@example.com", pw1)
	r := env.Login(t, "alice@example.com", pw1)
	wantStatus(t, r, http.StatusOK)
	if r.JSON["expires_in"] != float64(60) {
		t.Fatalf("expires_in %v, want 60", r.JSON["expires_in"])
	}
	env.Clock.Advance(60 * time.Second)
	want401(t, env.Me(t, r.Str("access_token")), detailBadToken)
}

func TestAudienceIsEnforced(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.JWTAudience = "my-app" })
	id, tok := signUp(t, env, "alice@example.com", pw1)
	if c := claimsOf(t, tok); c["aud"] != "my-app" {
		t.Fatalf("aud claim %v, want my-app", c["aud"])
	}
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	now := env.Clock.Now()
	exp := now.Add(time.Hour).Unix()
	wantStatus(t, env.Me(t, pySessionToken(t, env.Config.JWTSecret, id, unixFloat(now), exp, `,"aud":"my-app"`)), http.StatusOK)
	want401(t, env.Me(t, pySessionToken(t, env.Config.JWTSecret, id, unixFloat(now), exp, "")), detailBadToken)
	want401(t, env.Me(t, pySessionToken(t, env.Config.JWTSecret, id, unixFloat(now), exp, `,"aud":"other-app"`)), detailBadToken)
}

func TestTwoEnvironmentsShareNothing(t *testing.T) {
	t.Parallel()
	one := newEnv(t)
	two := newEnv(t)
	_, tok := signUp(t, one, "alice@example.com", pw1)
	want401(t, two.Me(t, tok), detailBadToken)
	wantStatus(t, two.Register(t, "alice@example.com", pw1), http.StatusCreated)
}
