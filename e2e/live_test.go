package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// userPublicKeys is the UserPublic projection, in the contract's order.
var userPublicKeys = []string{
	"id", "email", "is_active", "is_verified", "is_superuser", "full_name",
	"phone_number", "is_mfa_enabled", "created_at", "updated_at", "last_login",
}

// defaultRoutes are the JSON routes `gen --yes` must serve and document.
var defaultRoutes = []string{
	"POST /register", "POST /verify", "POST /resend-verification",
	"POST /login", "POST /logout", "GET /me", "PATCH /me",
	"POST /change-password", "POST /change-email", "POST /confirm-email-change",
	"DELETE /account", "POST /forgot-password", "POST /reset-password",
}

// TestLiveStarterApp builds the starter app of the defaults scenario on
// each backend, runs it as a real process configured only through the
// environment, and walks the account lifecycle over real HTTP and real SMTP.
func TestLiveStarterApp(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { liveStarterApp(t, backend) })
	}
}

func liveStarterApp(t *testing.T, backend string) {
	bin, host := starterApp(t, backend)
	sink := startSink(t)
	app := startApp(t, bin, host, appEnv(t, sink, backend))

	const (
		email   = "alice@example.com"
		oldPass = "correct-horse-battery-1"
		newPass = "staple-nine-lives-2"
	)

	// Register: verification is required, so the answer is a pending
	// registration and the link arrives by mail.
	r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": oldPass, "full_name": "Alice"})
	if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" || r.JSON()["email"] != email {
		t.Fatalf("register: %s, want 201 pending_verification for %s", r, email)
	}
	verifyMail := waitMail(t, sink, email)
	checkMailShape(t, verifyMail)
	verifyToken := linkToken(t, verifyMail, app.BaseURL, "/verify")

	// Not verified yet: login is refused after the password check.
	r = app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": oldPass})
	if r.Status == http.StatusOK {
		t.Errorf("login before verification: %s, want a refusal", r)
	}

	r = app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": verifyToken})
	if r.Status != http.StatusOK {
		t.Fatalf("verify: %s", r)
	}
	checkUserPublic(t, "verify", r, email)
	if v := r.JSON()["is_verified"]; v != true {
		t.Errorf("verify: is_verified = %v", v)
	}
	if r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": verifyToken}); r.Status != http.StatusBadRequest {
		t.Errorf("second use of the verification token: %s, want 400", r)
	}

	// Login, me, logout.
	wantDetail(t, "login with a wrong password",
		app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": "wrong-password-0"}),
		http.StatusUnauthorized, "Invalid email or password.")
	session := login(t, app, email, oldPass)
	r = app.Do(t, "GET", apiPrefix+"/me", session, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("me: %s", r)
	}
	checkUserPublic(t, "me", r, email)
	if fn := r.JSON()["full_name"]; fn != "Alice" {
		t.Errorf("me: full_name = %v, want Alice", fn)
	}
	if r.JSON()["last_login"] == nil {
		t.Error("me: last_login is null after a login")
	}
	r = app.Do(t, "GET", apiPrefix+"/me", "", nil)
	wantDetail(t, "me without a token", r, http.StatusUnauthorized, "Authentication required.")
	wantBearerChallenge(t, "me without a token", r)

	r = app.Do(t, "POST", apiPrefix+"/logout", session, nil)
	if r.Status != http.StatusOK || r.JSON()["message"] != "Logged out." {
		t.Errorf("logout: %s, want 200 Logged out.", r)
	}
	r = app.Do(t, "GET", apiPrefix+"/me", session, nil)
	wantDetail(t, "me after logout", r, http.StatusUnauthorized, "Invalid or expired token.")
	wantBearerChallenge(t, "me after logout", r)

	// A second session, to see the reset sign it out.
	other := login(t, app, email, oldPass)

	// Forgot / reset password. The answer is the same for unknown accounts.
	const forgotMsg = "If an account exists for that email, a reset link has been sent."
	for _, addr := range []string{email, "nobody@example.com"} {
		r = app.Do(t, "POST", apiPrefix+"/forgot-password", "", map[string]any{"email": addr})
		if r.Status != http.StatusAccepted || r.JSON()["message"] != forgotMsg {
			t.Errorf("forgot-password for %s: %s, want 202 %q", addr, r, forgotMsg)
		}
	}
	resetMail := waitMail(t, sink, email)
	checkMailShape(t, resetMail)
	resetToken := linkToken(t, resetMail, app.BaseURL, "/reset")

	r = app.Do(t, "POST", apiPrefix+"/reset-password", "", map[string]any{"token": resetToken, "new_password": newPass})
	if r.Status != http.StatusOK || r.JSON()["message"] != "Password has been reset. Please sign in." {
		t.Fatalf("reset-password: %s", r)
	}
	if r := app.Do(t, "POST", apiPrefix+"/reset-password", "", map[string]any{"token": resetToken, "new_password": "another-pass-3"}); r.Status != http.StatusBadRequest {
		t.Errorf("second use of the reset token: %s, want 400", r)
	}
	wantDetail(t, "session from before the reset", app.Do(t, "GET", apiPrefix+"/me", other, nil),
		http.StatusUnauthorized, "Invalid or expired token.")
	wantDetail(t, "login with the old password",
		app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": oldPass}),
		http.StatusUnauthorized, "Invalid email or password.")
	fresh := login(t, app, email, newPass)
	if r := app.Do(t, "GET", apiPrefix+"/me", fresh, nil); r.Status != http.StatusOK {
		t.Errorf("me with the new session: %s", r)
	}

	if n := len(sink.Messages()); n != 2 {
		t.Errorf("the sink received %d messages, want 2 (verification, reset for the existing account only)", n)
	}
	if errs := sink.ProtocolErrors(); len(errs) > 0 {
		t.Errorf("the app's SMTP client made protocol errors: %v", errs)
	}

	t.Run("http", func(t *testing.T) { checkHTTPBehaviour(t, app, fresh) })
	t.Run("openapi", func(t *testing.T) { checkOpenAPI(t, app) })

	// SIGTERM: the app drains and exits with status 0.
	if err := app.Stop(20 * time.Second); err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, tail(app.output.String(), 30))
	}
	if _, err := http.Get(app.BaseURL + readyPath); err == nil {
		t.Error("the port still answers after the app exited")
	}
}

// checkHTTPBehaviour covers the JSON error shapes and security headers.
func checkHTTPBehaviour(t *testing.T, app *liveApp, token string) {
	for _, path := range []string{apiPrefix + "/health", readyPath} {
		r := app.Do(t, "GET", path, "", nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET %s: %s", path, r)
		}
		wantAPIHeaders(t, path, r)
	}

	r := app.Do(t, "GET", apiPrefix+"/no-such-route", "", nil)
	wantDetail(t, "unknown route", r, http.StatusNotFound, "Not Found")
	wantAPIHeaders(t, "unknown route", r)

	r = app.Do(t, "GET", apiPrefix+"/login", "", nil)
	wantDetail(t, "GET /login", r, http.StatusMethodNotAllowed, "Method Not Allowed")
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "POST") {
		t.Errorf("GET /login: Allow = %q, want it to list POST", allow)
	}

	for _, path := range []string{apiPrefix + "/me", apiPrefix + "/login", "/"} {
		r = app.Do(t, "TRACE", path, token, nil)
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("TRACE %s: %s, want 405", path, r)
		}
		if bytes.Contains(r.Body, []byte(token)) {
			t.Errorf("TRACE %s echoes the Authorization header", path)
		}
	}

	r = app.Do(t, "GET", apiPrefix+"/me", token, nil)
	wantAPIHeaders(t, "me", r)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("me: Cache-Control = %q, want no-store", cc)
	}

	// Bad input is a 4xx with a JSON body, never a 5xx.
	for _, c := range []struct{ name, body string }{
		{"broken JSON", `{"email":`},
		{"unknown key", `{"email":"bob@example.com","password":"long-enough-1","admin":true}`},
		{"case-variant key", `{"EMAIL":"bob@example.com","password":"long-enough-1"}`},
		{"wrong type", `{"email":42,"password":"long-enough-1"}`},
	} {
		r := app.Do(t, "POST", apiPrefix+"/register", "", c.body)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("register with %s: %s, want 422", c.name, r)
		}
	}
}

// checkOpenAPI: the served document is OpenAPI 3.1, lists the default
// routes, and everything it lists is actually served.
func checkOpenAPI(t *testing.T, app *liveApp) {
	r := app.Do(t, "GET", apiPrefix+"/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("openapi.json: %s", r)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	// Paths may be written in full or relative to a server URL of the
	// prefix; normalise to full paths.
	rel := len(doc.Servers) > 0 && strings.HasSuffix(strings.TrimRight(doc.Servers[0].URL, "/"), apiPrefix)
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		full := p
		if rel || !strings.HasPrefix(p, apiPrefix) {
			full = apiPrefix + p
		}
		for m := range ops {
			switch m {
			case "get", "post", "put", "patch", "delete":
				documented[strings.ToUpper(m)+" "+full] = true
			}
		}
	}
	for _, route := range defaultRoutes {
		method, path, _ := strings.Cut(route, " ")
		if !documented[method+" "+apiPrefix+path] {
			t.Errorf("openapi.json does not document %s %s%s", method, apiPrefix, path)
		}
	}
	// Every documented operation exists: without credentials or a body it
	// may be refused, but never as an unknown route or method.
	ops := sortedKeys(documented)
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "none")
		r := app.Do(t, method, path, "", nil)
		if r.Status == http.StatusNotFound && bytes.Contains(r.Body, []byte(`"Not Found"`)) || r.Status == http.StatusMethodNotAllowed {
			t.Errorf("openapi.json documents %s but the app answers %s", op, r)
		}
		if r.Status >= 500 {
			t.Errorf("%s without credentials or body: %s, want a 4xx", op, r)
		}
	}
	t.Logf("openapi.json documents %d operations", len(ops))
}

func login(t *testing.T, app *liveApp, email, password string) string {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": password})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %s", email, r)
	}
	body := r.JSON()
	token, _ := body["access_token"].(string)
	if token == "" || body["token_type"] != "bearer" {
		t.Fatalf("login %s: %s, want access_token and token_type bearer", email, r)
	}
	if exp, ok := body["expires_in"].(float64); !ok || exp <= 0 {
		t.Errorf("login: expires_in = %v", body["expires_in"])
	}
	return token
}

func wantDetail(t *testing.T, what string, r response, status int, detail string) {
	t.Helper()
	if r.Status != status || r.JSON()["detail"] != detail {
		t.Errorf("%s: %s, want %d {\"detail\":%q}", what, r, status, detail)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", what, ct)
	}
}

func wantBearerChallenge(t *testing.T, what string, r response) {
	t.Helper()
	if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("%s: WWW-Authenticate = %q, want Bearer", what, h)
	}
}

func wantAPIHeaders(t *testing.T, what string, r response) {
	t.Helper()
	if h := r.Header.Get("X-Content-Type-Options"); h != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, h)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", what, ct)
	}
}

// checkUserPublic checks the projection's keys and their order.
func checkUserPublic(t *testing.T, what string, r response, email string) {
	t.Helper()
	keys, err := objectKeys(r.Body)
	if err != nil {
		t.Errorf("%s: %v in %s", what, err, r.Body)
		return
	}
	if !slices.Equal(keys, userPublicKeys) {
		t.Errorf("%s: UserPublic keys %v\nwant %v", what, keys, userPublicKeys)
	}
	if got := r.JSON()["email"]; got != email {
		t.Errorf("%s: email = %v, want %s", what, got, email)
	}
	for _, k := range []string{"created_at", "updated_at"} {
		s, _ := r.JSON()[k].(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil || !strings.HasSuffix(s, "Z") {
			t.Errorf("%s: %s = %q, want RFC 3339 UTC with Z", what, k, s)
		}
	}
}

// objectKeys lists a JSON object's top-level keys in document order.
func objectKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// checkMailShape: a multipart/alternative message with a subject and
// both parts, from the configured sender.
func checkMailShape(t *testing.T, m smtpsink.Message) {
	t.Helper()
	if m.ContentType != "multipart/alternative" {
		t.Errorf("mail %q: Content-Type %s, want multipart/alternative", m.Subject, m.ContentType)
	}
	if strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "" {
		t.Errorf("mail: want a subject, a text part and an HTML part; got subject %q, %d and %d bytes", m.Subject, len(m.Text), len(m.HTML))
	}
	if from := m.Header.Get("From"); !strings.Contains(from, fromAddress) {
		t.Errorf("mail %q: From = %q, want %s", m.Subject, from, fromAddress)
	}
	if m.EnvelopeFrom != fromAddress {
		t.Errorf("mail %q: MAIL FROM:<%s>, want %s", m.Subject, m.EnvelopeFrom, fromAddress)
	}
	for _, h := range []string{"Date", "Message-Id", "To"} {
		if m.Header.Get(h) == "" {
			t.Errorf("mail %q has no %s header", m.Subject, h)
		}
	}
}

// linkToken finds the link to page (such as "/verify") in the mail's text
// part, checks that it points at the app's base URL and that the HTML part
// carries the same link, and returns its token.
func linkToken(t *testing.T, m smtpsink.Message, baseURL, page string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(baseURL) + `(/[A-Za-z0-9/_-]*)?` + regexp.QuoteMeta(page) + `\?token=([A-Za-z0-9_-]+)`)
	match := re.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("mail %q has no %s%s?token= link in its text part:\n%s", m.Subject, baseURL, page, m.Text)
	}
	token := match[2]
	if len(token) != 43 {
		t.Errorf("token in %q is %d characters, want 43 (32 random bytes, base64url)", m.Subject, len(token))
	}
	if !strings.Contains(m.HTML, token) {
		t.Errorf("the HTML part of %q does not carry the token of the text part", m.Subject)
	}
	return token
}
