// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

func TestUnknownRouteIsJSON404(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, path := range []string{"/no-such-route", "/me/extra", "/login/", "/webauthn/start"} {
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
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "application/JSON;Charset=UTF-8"} {
		wantStatus(t, env.Do(t, http.MethodPost, "/login", body, authtest.Header{Key: "Content-Type", Value: ct}), http.StatusUnauthorized)
	}
}

// TestMissingContentTypeIs415: a body without a media type is not read as
// JSON. A browser sends a cross-site fetch() or form without a CORS
// preflight only with no type or a form/text type, so this is what stops
// another site from making a visitor's browser post to the API.
func TestMissingContentTypeIs415(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	noType := authtest.Header{Key: "Content-Type", Value: ""} // removes the header
	body := `{"email":"alice@example.com","password":"` + pw1 + `"}`
	for _, route := range []string{"/register", "/login", "/verify", "/resend-verification"} {
		wantDetail(t, env.Do(t, http.MethodPost, route, body, noType), http.StatusUnsupportedMediaType, "Unsupported Media Type")
	}
	if n := len(env.Mail.Messages()); n != 0 {
		t.Fatalf("%d emails sent for refused requests", n)
	}
	// Two Content-Type headers are refused too, whatever they say.
	req, err := http.NewRequest(http.MethodPost, env.URL("/login"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header["Content-Type"] = []string{"application/json", "text/plain"}
	wantStatus(t, env.Send(t, req), http.StatusUnsupportedMediaType)
	// Routes without a body need no Content-Type.
	_, tok := signUp(t, env, "bob@example.com", pw1)
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	wantStatus(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(tok)), http.StatusOK)
}

// TestCrossSiteRequestsRefused: a state-changing request that a browser
// marks as cross-site is refused with a JSON 403 before any work;
// same-origin browser requests and clients that send neither Sec-Fetch-Site
// nor Origin (API clients, curl) pass, and reads are never refused.
func TestCrossSiteRequestsRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	login := map[string]any{"email": "alice@example.com", "password": pw1}
	crossSite := authtest.Header{Key: "Sec-Fetch-Site", Value: "cross-site"}
	for _, hdrs := range [][]authtest.Header{
		{crossSite},
		{{Key: "Sec-Fetch-Site", Value: "same-site"}},
		{{Key: "Origin", Value: "https://evil.example"}}, // a browser without Sec-Fetch-Site
	} {
		wantDetail(t, env.Do(t, http.MethodPost, "/login", login, hdrs...), http.StatusForbidden, "Cross-origin request refused.")
		wantDetail(t, env.Do(t, http.MethodPost, "/register", map[string]any{"email": "eve@example.com", "password": pw1}, hdrs...),
			http.StatusForbidden, "Cross-origin request refused.")
		wantDetail(t, env.Do(t, http.MethodPatch, "/me", map[string]any{"full_name": "Eve"}, append(hdrs, authtest.Bearer(tok))...),
			http.StatusForbidden, "Cross-origin request refused.")
		wantDetail(t, env.Do(t, http.MethodPost, "/logout", nil, append(hdrs, authtest.Bearer(tok))...),
			http.StatusForbidden, "Cross-origin request refused.")
	}
	if n := len(env.Mail.To("eve@example.com")); n != 0 {
		t.Fatal("a refused cross-site registration sent mail")
	}
	if me := env.Me(t, tok); me.JSON["full_name"] != nil {
		t.Fatalf("a refused cross-site PATCH changed the user: %s", me)
	}
	// Reads are not state-changing.
	wantStatus(t, env.Do(t, http.MethodGet, "/me", nil, crossSite, authtest.Bearer(tok)), http.StatusOK)
	wantStatus(t, env.Do(t, http.MethodGet, "/health", nil, crossSite), http.StatusOK)
	// Same-origin and user-initiated requests, and requests without the
	// headers, pass.
	host := strings.TrimPrefix(env.Server.URL, "http://")
	for _, hdrs := range [][]authtest.Header{
		nil,
		{{Key: "Sec-Fetch-Site", Value: "same-origin"}},
		{{Key: "Sec-Fetch-Site", Value: "none"}},
		{{Key: "Origin", Value: "http://" + host}},
	} {
		wantStatus(t, env.Do(t, http.MethodPost, "/login", login, hdrs...), http.StatusOK)
	}
}

// TestValidationNeverEchoesSecrets: a 422 keeps each error's "input" key
// (clients parse it) but never repeats a password or token, and never
// repeats a body that is not a JSON object.
func TestValidationNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const secret = "s3cr3t-Value"
	// Too short: the classic case.
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "alice@example.com", "password": "Sh0rt!"})
	e := wantValidation(t, r, "password", "string_too_short")
	if v, ok := e["input"]; !ok || v != nil {
		t.Fatalf(`string_too_short: "input" = %v (present %v), want null`, v, ok)
	}
	if strings.Contains(string(r.Body), "Sh0rt!") {
		t.Fatalf("the password is in the 422 body: %s", r.Body)
	}
	cases := []struct {
		route, body, field, typ string
	}{
		{"/login", `{"password":"` + secret + `-long-enough"}`, "email", "missing"},
		{"/login", `{"email":"alice@example.com","password":"` + secret + `","Password":"` + secret + `"}`, "Password", "extra_forbidden"},
		{"/login", `{"email":"alice@example.com","password":{"password":"` + secret + `"}}`, "password", "string_type"},
		{"/login", `{"email":{"token":"` + secret + `","a":1},"password":"` + secret + `-long"}`, "email", "string_type"},
		{"/login", `{"email":"alice@example.com","password":"` + secret + `","access_token":"` + secret + `"}`, "access_token", "extra_forbidden"},
		{"/login", `{"email":"alice@example.com","password":"` + secret + `","extra":[{"new_password":"` + secret + `"}]}`, "extra", "extra_forbidden"},
		{"/verify", `{"token":7}`, "token", "string_type"},
		{"/change-password", `{"current_password":"` + secret + `","new_password":"` + secret + `"}`, "", ""}, // 401 without a session
		{"/login", `["` + secret + `"]`, "", "model_attributes_type"},
		{"/login", `"` + secret + `"`, "", "model_attributes_type"},
		{"/login", `{"email":"alice@example.com","password":"` + secret + `"`, "", "json_invalid"},
		{"/login", `{"email":"alice@example.com","password":"` + secret + `"} x`, "", "json_invalid"},
	}
	for _, c := range cases {
		r := env.Do(t, http.MethodPost, c.route, c.body)
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%s %s: the secret is in the answer: %s", c.route, c.body, r.Body)
		}
		if c.typ == "" {
			continue
		}
		e := wantValidation(t, r, c.field, c.typ)
		if _, ok := e["input"]; !ok {
			t.Errorf("%s %s: the error has no \"input\" key: %v", c.route, c.body, e)
		}
		if c.field == "password" || c.field == "Password" || c.field == "access_token" || c.field == "token" ||
			c.field == "new_password" || c.typ == "model_attributes_type" || c.typ == "json_invalid" {
			if e["input"] != nil {
				t.Errorf("%s %s: input %v, want null", c.route, c.body, e["input"])
			}
		}
	}
	// Other inputs are still echoed, with credentials inside them nulled.
	r = env.Do(t, http.MethodPost, "/login", `{"password":"`+secret+`-long-enough","x":1}`)
	e = wantValidation(t, r, "email", "missing")
	if in, _ := e["input"].(map[string]any); in == nil || in["x"] != float64(1) || in["password"] != nil || len(in) != 2 {
		t.Fatalf("missing: input %v, want the body with the password nulled", e["input"])
	}
	e = wantValidation(t, env.Do(t, http.MethodPost, "/login", `{"email":"not-an-address","password":"`+secret+`"}`), "email", "value_error")
	if e["input"] != "not-an-address" {
		t.Fatalf("email: input %v", e["input"])
	}
}

// badFullNames are names with control or bidirectional formatting
// characters, which every route that takes full_name refuses.
var badFullNames = []string{
	"Ann\nPlease call +1 555 0100", "Ann\r\nBcc: x", "Ann\u0000", "Ann\tSmith", "Ann\u007f", "Ann\u0085", "Ann\u009b31m",
	"Ann \u202egnp.exe", "\u202aAnn", "\u202bAnn", "\u202cAnn", "\u202dAnn", "\u2066Ann\u2069", "\u2067Ann", "\u2068Ann",
	"Ann\u200e", "Ann\u200f", "Ann\u061c", "Ann\u2028Smith", "Ann\u2029Smith",
}

// TestFullNameRefusesControlAndBidiCharacters: a name is shown in emails,
// pages and user lists, so control characters (line breaks that would
// start a new paragraph of the attacker's text, NUL, ...) and bidirectional
// formatting characters (which make text read as something else) are 422
// on every route that takes full_name.
func TestFullNameRefusesControlAndBidiCharacters(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, tok := signUp(t, env, "alice@example.com", pw1)
	for i, name := range badFullNames {
		body := map[string]any{"full_name": name}
		e := wantValidation(t, env.Do(t, http.MethodPatch, "/me", body, authtest.Bearer(tok)), "full_name", "value_error")
		if msg, _ := e["msg"].(string); !strings.HasPrefix(msg, "Value error, ") {
			t.Fatalf("PATCH /me %q: msg %q", name, msg)
		}
		email := "new" + strconv.Itoa(i) + "@example.com"
		r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": email, "password": pw1, "full_name": name})
		wantValidation(t, r, "full_name", "value_error")
	}
	// Escaped in the JSON or sent raw, the same.
	wantValidation(t, env.Do(t, http.MethodPatch, "/me", `{"full_name":"Ann\u202egnp.exe"}`, authtest.Bearer(tok)), "full_name", "value_error")
	wantValidation(t, env.Do(t, http.MethodPatch, "/me", `{"full_name":"Ann\r\nX"}`, authtest.Bearer(tok)), "full_name", "value_error")
	if me := env.Me(t, tok); me.JSON["full_name"] != nil {
		t.Fatalf("a refused name was stored: %s", me)
	}
	if n := len(env.Mail.Messages()); n != 0 {
		t.Fatalf("%d emails sent for refused registrations", n)
	}
	// Names from every script, with accents, emoji and joiners, are fine.
	for _, name := range []string{"Zoë Ångström-O'Brien", "محمد علي", "李小龍", "👩\u200d👩\u200d👧 Family", "Jean\u00a0Dupont", "א ב"} {
		r := env.Do(t, http.MethodPatch, "/me", map[string]any{"full_name": name}, authtest.Bearer(tok))
		if wantStatus(t, r, http.StatusOK); r.JSON["full_name"] != name {
			t.Fatalf("name %q stored as %v", name, r.JSON["full_name"])
		}
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
	// Every route of the table, but logout last: it ignores its body and
	// would revoke the token.
	var routes []struct{ method, path string }
	for _, op := range env.Auth.RouteTable() {
		method, path, _ := strings.Cut(op, " ")
		if op != "POST /logout" {
			routes = append(routes, struct{ method, path string }{method, path})
		}
	}
	routes = append(routes, struct{ method, path string }{http.MethodPost, "/logout"})
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
