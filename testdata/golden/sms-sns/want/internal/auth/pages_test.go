// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

// site serves the JSON API and the account pages on one server, mounted
// the way the starter's main.go mounts them.
type site struct {
	env    *authtest.Env
	url    string
	client *http.Client
}

func newSite(t *testing.T, env *authtest.Env) *site {
	t.Helper()
	pages, err := env.Auth.Pages()
	if err != nil {
		t.Fatalf("Pages: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(env.Config.APIPrefix+"/", env.Auth.Handler())
	mux.Handle(env.Config.UIPrefix+"/", pages)
	mux.Handle(env.Config.StaticPrefix+"/", pages)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// No cookie jar (Go's does not send Secure cookies over plain http) and
	// no redirects: the tests look at both themselves.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &site{env: env, url: srv.URL, client: client}
}

// pageResp is one answer of the site.
type pageResp struct {
	status int
	header http.Header
	body   string
	cookie *http.Cookie // the session cookie it set, if any
}

func (s *site) do(t *testing.T, req *http.Request, cookie string) pageResp {
	t.Helper()
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: s.env.Config.SessionCookie(), Value: cookie})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := pageResp{status: resp.StatusCode, header: resp.Header, body: string(b)}
	for _, c := range resp.Cookies() {
		if c.Name == s.env.Config.SessionCookie() {
			p.cookie = c
		}
	}
	return p
}

func (s *site) get(t *testing.T, path, cookie string) pageResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, req, cookie)
}

func (s *site) post(t *testing.T, path, cookie string, form url.Values, headers ...authtest.Header) pageResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, h := range headers {
		req.Header.Set(h.Key, h.Value)
	}
	return s.do(t, req, cookie)
}

// signIn signs in through the login form and returns the session cookie's
// value.
func (s *site) signIn(t *testing.T, email, pw string) string {
	t.Helper()
	p := s.post(t, "/account/login", "", url.Values{"email": {email}, "password": {pw}})
	wantRedirect(t, p, "/account/me")
	if p.cookie == nil || p.cookie.Value == "" {
		t.Fatalf("sign-in set no session cookie: %v", p.header)
	}
	return p.cookie.Value
}

var (
	inlineStyle  = regexp.MustCompile(`(?i)<style\b|\sstyle\s*=`)
	inlineScript = regexp.MustCompile(`(?i)<script\b|\son[a-z]+\s*=|javascript:`)
	inputTag     = regexp.MustCompile(`<input\b[^>]*>`)
	inputID      = regexp.MustCompile(`\bid="([^"]+)"`)
)

// wantPage checks an HTML answer: the status, the headers every page
// carries, the markup rules (no inline script or style, one h1, a lang, a
// label for every visible input) and that the body contains each of want.
func wantPage(t *testing.T, p pageResp, status int, want ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d:\n%s", p.status, status, p.body)
	}
	wantPageHeaders(t, p)
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if m := inlineStyle.FindString(p.body); m != "" {
		t.Errorf("inline style %q in:\n%s", m, p.body)
	}
	if m := inlineScript.FindString(p.body); m != "" {
		t.Errorf("script %q in:\n%s", m, p.body)
	}
	if n := strings.Count(p.body, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	if !regexp.MustCompile(`<html lang="[a-zA-Z-]+"`).MatchString(p.body) {
		t.Errorf("no <html lang>")
	}
	for _, in := range inputTag.FindAllString(p.body, -1) {
		if strings.Contains(in, `type="hidden"`) {
			continue
		}
		id := inputID.FindStringSubmatch(in)
		if id == nil || !strings.Contains(p.body, `<label class="rs-label" for="`+id[1]+`">`) {
			t.Errorf("input without a label: %s", in)
		}
	}
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Errorf("page lacks %q:\n%s", w, p.body)
		}
	}
}

// wantPageHeaders checks the headers of every answer of the pages.
func wantPageHeaders(t *testing.T, p pageResp) {
	t.Helper()
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := p.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

func wantRedirect(t *testing.T, p pageResp, location string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.header.Get("Location") != location {
		t.Fatalf("status %d Location %q, want 303 to %q:\n%s", p.status, p.header.Get("Location"), location, p.body)
	}
	wantPageHeaders(t, p)
}

// TestPagesSecurityHeaders: every page answers HTML with the CSP, no-referrer,
// no-store and nosniff headers, without inline script or style, with one h1,
// a lang and a label for every input; its stylesheets are served under
// hashed names with long-cache headers, and nothing else is.
func TestPagesSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	for path, want := range map[string]string{
		"/account/login":                        "Sign in",
		"/account/register":                     "Create your account",
		"/account/verify?token=x":               "Confirm my email address",
		"/account/confirm-email-change?token=x": "Confirm new email address",
	} {
		wantPage(t, s.get(t, path, ""), http.StatusOK, want)
	}
	wantPage(t, s.get(t, "/account/verify", ""), http.StatusBadRequest, "This link is incomplete.")
	wantPage(t, s.get(t, "/account/nothing-here", ""), http.StatusNotFound)

	login := s.get(t, "/account/login", "")
	links := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindAllStringSubmatch(login.body, -1)
	if len(links) != 2 {
		t.Fatalf("%d stylesheets, want core and theme:\n%s", len(links), login.body)
	}
	for i, name := range []string{"core", "theme"} {
		href := links[i][1]
		if !regexp.MustCompile(`^/regstack-static/` + name + `\.[0-9a-f]{12}\.css$`).MatchString(href) {
			t.Errorf("stylesheet %d is %q, want /regstack-static/%s.<hash>.css", i, href, name)
		}
		css := s.get(t, href, "")
		if css.status != http.StatusOK || css.header.Get("Content-Type") != "text/css; charset=utf-8" ||
			css.header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(css.body, "--rs-") {
			t.Errorf("%s: %d %v", href, css.status, css.header)
		}
	}
	for _, path := range []string{"/regstack-static/", "/regstack-static/core.css", "/regstack-static/theme.000000000000.css"} {
		if p := s.get(t, path, ""); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.status)
		}
	}
}

// TestPagesThemeCSSURL: theme_css_url is linked after the theme, and a
// stylesheet on another origin is allowed by the CSP by name.
func TestPagesThemeCSSURL(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.ThemeCSSURL = "https://cdn.example/brand.css" })
	p := newSite(t, env).get(t, "/account/login", "")
	if !regexp.MustCompile(`theme\.[0-9a-f]{12}\.css">\n<link rel="stylesheet" href="https://cdn.example/brand.css">`).MatchString(p.body) {
		t.Errorf("host stylesheet not linked after the theme:\n%s", p.body)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "; style-src 'self' https://cdn.example") {
		t.Errorf("CSP %q does not allow the host stylesheet", csp)
	}
}

// TestPagesRegisterAndSignIn: the whole flow through the forms, with the
// cookie's attributes, and the account page behind it.
func TestPagesRegisterAndSignIn(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	p := s.post(t, "/account/register", "", url.Values{"email": {"alice@example.com"}, "full_name": {"Alice"}, "password": {pw1}})
	wantRedirect(t, p, "/account/login?done=registered")

	p = s.post(t, "/account/login", "", url.Values{"email": {"alice@example.com"}, "password": {pw1}})
	wantRedirect(t, p, "/account/me")
	c := p.cookie
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/ and a Max-Age", c)
	}
	if c.Name != "regstack_session" {
		t.Errorf("cookie name %q over http, want regstack_session", c.Name)
	}
	wantPage(t, s.get(t, "/account/me", c.Value), http.StatusOK, "alice@example.com", "Alice",
		"Sign out of all other devices", `action="/account/logout"`)

	// Signed in, the login page goes on to the account page.
	wantRedirect(t, s.get(t, "/account/login", c.Value), "/account/me")
	// Without a session the account page sends the visitor to sign in.
	wantRedirect(t, s.get(t, "/account/me", ""), "/account/login?next=%2Faccount%2Fme")
}

// TestPagesFormErrors: refused values are shown beside their fields, with
// aria-invalid and aria-describedby, typed values kept, passwords never.
func TestPagesFormErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	p := s.post(t, "/account/register", "", url.Values{"email": {"not-an-address"}, "full_name": {"Bob"}, "password": {"short"}})
	wantPage(t, p, http.StatusUnprocessableEntity, `value="not-an-address"`, `value="Bob"`,
		`id="register-email" name="email" type="email" autocomplete="email" value="not-an-address" required aria-invalid="true" aria-describedby="register-email-error"`,
		`<p class="rs-field-error" id="register-email-error">Enter a valid email address.`,
		`aria-describedby="register-password-hint register-password-error"`,
		`<p class="rs-field-error" id="register-password-error">Use at least 8 characters.</p>`)
	if strings.Contains(p.body, `value="short"`) {
		t.Errorf("the password was sent back:\n%s", p.body)
	}

	signUp(t, env, "carol@example.com", pw1)
	p = s.post(t, "/account/login", "", url.Values{"email": {"carol@example.com"}, "password": {pw2}})
	// The form points at the error, so a screen reader on the form hears it.
	wantPage(t, p, http.StatusUnauthorized, `id="rs-alert" role="alert">Invalid email or password.`,
		`aria-describedby="rs-alert"`, `value="carol@example.com"`)
	if strings.Contains(p.body, pw2) {
		t.Errorf("the password was sent back:\n%s", p.body)
	}

	p = s.post(t, "/account/register", "", url.Values{"email": {"carol@example.com"}, "password": {pw1}})
	wantPage(t, p, http.StatusConflict, `<p class="rs-field-error" id="register-email-error">An account with that email already exists.</p>`)
}

// TestPagesXSSInFullName: a name that is markup is shown as text.
func TestPagesXSSInFullName(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	evil := `<script>alert(1)</script>`
	wantRedirect(t, s.post(t, "/account/register", "", url.Values{"email": {"mallory@example.com"}, "full_name": {evil}, "password": {pw1}}),
		"/account/login?done=registered")
	p := s.get(t, "/account/me", s.signIn(t, "mallory@example.com", pw1))
	wantPage(t, p, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(p.body, evil) {
		t.Errorf("the name is markup on the page:\n%s", p.body)
	}
}

// TestPagesCookieIgnoredByAPI: the JSON API takes bearer tokens only; the
// pages' cookie authorizes nothing there.
func TestPagesCookieIgnoredByAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "dave@example.com", pw1)
	cookie := s.signIn(t, "dave@example.com", pw1)
	req, err := http.NewRequest(http.MethodGet, s.url+env.Config.APIPrefix+"/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.do(t, req, cookie); p.status != http.StatusUnauthorized {
		t.Fatalf("GET /me with the session cookie: %d, want 401\n%s", p.status, p.body)
	}
	// The same value as a bearer token is a session like any other.
	wantStatus(t, env.Me(t, cookie), http.StatusOK)
}

// TestPagesLogoutRevokes: signing out revokes the session in the database,
// so a copy of the cookie stops working too.
func TestPagesLogoutRevokes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "erin@example.com", pw1)
	cookie := s.signIn(t, "erin@example.com", pw1)
	p := s.post(t, "/account/logout", cookie, nil)
	wantRedirect(t, p, "/account/login?done=logout")
	if p.cookie == nil || p.cookie.MaxAge >= 0 {
		t.Errorf("sign-out did not drop the cookie: %+v", p.cookie)
	}
	wantRedirect(t, s.get(t, "/account/me", cookie), "/account/login?next=%2Faccount%2Fme")
	want401(t, env.Me(t, cookie), detailBadToken)
	wantPage(t, s.get(t, "/account/login?done=logout", ""), http.StatusOK, "You are signed out.")
}

// TestPagesCookieOfDisabledAccount: the cookie is checked like a bearer
// token on every request, so disabling the account ends it at once.
func TestPagesCookieOfDisabledAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	id, _ := signUp(t, env, "paul@example.com", pw1)
	cookie := s.signIn(t, "paul@example.com", pw1)
	off := false
	if _, err := sideStore(t, env).UpdateUser(context.Background(), id, store.UserPatch{IsActive: &off}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, s.get(t, "/account/me", cookie), "/account/login?next=%2Faccount%2Fme")
}

// TestPagesSignOutOtherDevices: every other session ends, this one goes on.
func TestPagesSignOutOtherDevices(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	_, other := signUp(t, env, "frank@example.com", pw1)
	cookie := s.signIn(t, "frank@example.com", pw1)
	p := s.post(t, "/account/logout-others", cookie, nil)
	wantRedirect(t, p, "/account/me?done=others")
	if p.cookie == nil || p.cookie.Value == "" || p.cookie.Value == cookie {
		t.Fatalf("no fresh session cookie: %+v", p.cookie)
	}
	want401(t, env.Me(t, other), detailBadToken)
	wantRedirect(t, s.get(t, "/account/me", cookie), "/account/login?next=%2Faccount%2Fme")
	// The fresh session is issued just after the cutoff, a moment this
	// test's stopped clock has to reach first.
	env.Clock.Advance(time.Millisecond)
	wantPage(t, s.get(t, "/account/me?done=others", p.cookie.Value), http.StatusOK, "Every other device is signed out.")
}

// TestPagesCrossOriginRefused: a form posted from another site is refused
// before it does anything.
func TestPagesCrossOriginRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "gina@example.com", pw1)
	cookie := s.signIn(t, "gina@example.com", pw1)
	form := url.Values{"email": {"gina@example.com"}, "password": {pw1}}
	for _, h := range []authtest.Header{{Key: "Origin", Value: "http://evil.example"}, {Key: "Sec-Fetch-Site", Value: "cross-site"}} {
		wantPage(t, s.post(t, "/account/login", "", form, h), http.StatusForbidden, "sent from another site")
		wantPage(t, s.post(t, "/account/logout", cookie, nil, h), http.StatusForbidden)
		wantPage(t, s.post(t, "/account/me", cookie, url.Values{"full_name": {"Hacked"}}, h), http.StatusForbidden)
	}
	wantPage(t, s.get(t, "/account/me", cookie), http.StatusOK, "gina@example.com")
	if p := s.get(t, "/account/me", cookie); strings.Contains(p.body, "Hacked") {
		t.Errorf("a cross-site post changed the name")
	}
	// The browser's own same-origin post passes.
	wantRedirect(t, s.post(t, "/account/me", cookie, url.Values{"full_name": {"Gina"}}, authtest.Header{Key: "Origin", Value: s.url}),
		"/account/me?done=profile")
}

// TestPagesNextParameter: after signing in, next is followed only when it
// is a path on this site (CONTRACT §2.8).
func TestPagesNextParameter(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.RateLimitDisabled = true })
	s := newSite(t, env)
	signUp(t, env, "hank@example.com", pw1)
	for next, want := range map[string]string{
		"/dashboard?tab=1":      "/dashboard?tab=1",
		"//evil.example/x":      "/account/me",
		`/\evil.example`:        "/account/me",
		"https://evil.example/": "/account/me",
		"javascript:alert(1)":   "/account/me",
		"/ok\r\nSet-Cookie: x":  "/account/me",
		"dashboard":             "/account/me",
	} {
		p := s.post(t, "/account/login", "", url.Values{"email": {"hank@example.com"}, "password": {pw1}, "next": {next}})
		if loc := p.header.Get("Location"); p.status != http.StatusSeeOther || loc != want {
			t.Errorf("next %q: %d to %q, want 303 to %q", next, p.status, loc, want)
		}
	}
	p := s.get(t, "/account/login?next="+url.QueryEscape("/dashboard"), "")
	wantPage(t, p, http.StatusOK, `<input type="hidden" name="next" value="/dashboard">`)
	p = s.get(t, "/account/login?next="+url.QueryEscape("//evil.example"), "")
	wantPage(t, p, http.StatusOK)
	if strings.Contains(p.body, "evil.example") {
		t.Errorf("a foreign next is kept on the page:\n%s", p.body)
	}
}

// TestPagesLinkGetDoesNotConsume: the emailed link opens the page; GET and
// HEAD show a button and leave the token usable, the button's POST uses it.
func TestPagesLinkGetDoesNotConsume(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	s := newSite(t, env)
	p := s.post(t, "/account/register", "", url.Values{"email": {"ivy@example.com"}, "password": {pw1}})
	wantPage(t, p, http.StatusOK, "Check your email", "We sent a link to ivy@example.com.")
	m := env.Mail.WaitFor(t, "ivy@example.com")
	tok := authtest.Token(m)
	if !strings.Contains(m.Text, env.Config.BaseURL+"/account/verify?token=") {
		t.Fatalf("the emailed link does not open the page /account/verify:\n%s", m.Text)
	}
	path := "/account/verify?token=" + url.QueryEscape(tok)
	for range 2 {
		wantPage(t, s.get(t, path, ""), http.StatusOK, `<input type="hidden" name="token" value="`+tok+`">`)
		req, err := http.NewRequest(http.MethodHead, s.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if h := s.do(t, req, ""); h.status != http.StatusOK {
			t.Fatalf("HEAD: %d", h.status)
		}
	}
	wantPage(t, s.post(t, "/account/verify", "", url.Values{"token": {tok}}), http.StatusOK, "Your email address is confirmed.")
	wantPage(t, s.post(t, "/account/verify", "", url.Values{"token": {tok}}), http.StatusBadRequest,
		"Verification token is invalid or has expired.", `action="/account/resend-verification"`)
	s.signIn(t, "ivy@example.com", pw1)
}

// TestPagesUnverifiedLoginOffersResend: the right password of an account
// that is not verified yet says so and offers a new link.
func TestPagesUnverifiedLoginOffersResend(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	s := newSite(t, env)
	createUser(t, env, "jack@example.com", pw1, true, false)
	p := s.post(t, "/account/login", "", url.Values{"email": {"jack@example.com"}, "password": {pw1}})
	wantPage(t, p, http.StatusForbidden, detailNotVerified, `action="/account/resend-verification"`,
		`id="resend-email" name="email" type="email" autocomplete="email" value="jack@example.com"`)
	p = s.post(t, "/account/resend-verification", "", url.Values{"email": {"nobody@example.com"}})
	wantPage(t, p, http.StatusOK, "Check your email")
}

// TestPagesLockoutSharedWithAPI: failed sign-ins through the API and the
// form count against one lockout; the form shows the wait in words.
func TestPagesLockoutSharedWithAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.LoginLockoutThreshold = 2 })
	s := newSite(t, env)
	signUp(t, env, "kate@example.com", pw1)
	wantStatus(t, env.Login(t, "kate@example.com", pw2), http.StatusUnauthorized)
	wantPage(t, s.post(t, "/account/login", "", url.Values{"email": {"kate@example.com"}, "password": {pw2}}), http.StatusUnauthorized)
	p := s.post(t, "/account/login", "", url.Values{"email": {"kate@example.com"}, "password": {pw1}})
	wantPage(t, p, http.StatusTooManyRequests, "Too many failed attempts. Try again in 15 minutes.")
	if p.header.Get("Retry-After") != "900" {
		t.Errorf("Retry-After %q, want 900", p.header.Get("Retry-After"))
	}
	wantStatus(t, env.Login(t, "kate@example.com", pw1), http.StatusTooManyRequests)
}

// TestPagesRateLimitSharedWithAPI: the login form counts against
// login_rate_limit, the API login's key.
func TestPagesRateLimitSharedWithAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.LoginRateLimit = "2/minute" })
	s := newSite(t, env)
	form := url.Values{"email": {"leo@example.com"}, "password": {pw1}}
	// The API server and the site see the same client address (127.0.0.1).
	wantStatus(t, env.Login(t, "leo@example.com", pw1), http.StatusUnauthorized)
	wantPage(t, s.post(t, "/account/login", "", form), http.StatusUnauthorized)
	p := s.post(t, "/account/login", "", form)
	wantPage(t, p, http.StatusTooManyRequests, "Try again in 60 seconds.")
	if p.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After %q, want 60", p.header.Get("Retry-After"))
	}
	wantStatus(t, env.Login(t, "leo@example.com", pw1), http.StatusTooManyRequests)
}

// TestPagesAccountForms: the account page's name, password and email forms.
func TestPagesAccountForms(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "mia@example.com", pw1)
	cookie := s.signIn(t, "mia@example.com", pw1)

	wantRedirect(t, s.post(t, "/account/me", cookie, url.Values{"full_name": {"Mia"}}), "/account/me?done=profile")
	wantPage(t, s.get(t, "/account/me?done=profile", cookie), http.StatusOK, "Your name was saved.", "<dd>Mia</dd>")

	p := s.post(t, "/account/change-email", cookie, url.Values{"new_email": {"mia.new@example.com"}, "current_password": {pw2}})
	wantPage(t, p, http.StatusBadRequest, `<p class="rs-field-error" id="change-email-current_password-error">Current password is incorrect.</p>`,
		`value="mia.new@example.com"`)
	wantRedirect(t, s.post(t, "/account/change-email", cookie, url.Values{"new_email": {"mia.new@example.com"}, "current_password": {pw1}}),
		"/account/me?done=email")
	tok := authtest.Token(env.Mail.WaitFor(t, "mia.new@example.com"))
	path := "/account/confirm-email-change?token=" + url.QueryEscape(tok)
	wantPage(t, s.get(t, path, cookie), http.StatusOK, `name="token" value="`+tok+`"`)
	wantPage(t, s.get(t, path, cookie), http.StatusOK, `name="token" value="`+tok+`"`)
	wantPage(t, s.post(t, "/account/confirm-email-change", cookie, url.Values{"token": {tok}}), http.StatusOK,
		"Your email address is now mia.new@example.com.")
	env.Clock.Advance(time.Millisecond) // a sign-in at the cutoff instant is refused
	cookie = s.signIn(t, "mia.new@example.com", pw1)

	p = s.post(t, "/account/change-password", cookie, url.Values{"current_password": {pw1}, "new_password": {pw1}})
	wantPage(t, p, http.StatusBadRequest, `id="change-password-new_password-error">New password must differ`)
	wantRedirect(t, s.post(t, "/account/change-password", cookie, url.Values{"current_password": {pw1}, "new_password": {pw2}}),
		"/account/login?done=password")
	wantRedirect(t, s.get(t, "/account/me", cookie), "/account/login?next=%2Faccount%2Fme")
	env.Clock.Advance(time.Millisecond)
	s.signIn(t, "mia.new@example.com", pw2)
}

// BenchmarkPagesRender measures one page answer through the handler, without
// the network: the sign-in page (templates only) and the account page (the
// session cookie checked against the database too).
func BenchmarkPagesRender(b *testing.B) {
	env := authtest.New(b, noVerification)
	pages, err := env.Auth.Pages()
	if err != nil {
		b.Fatal(err)
	}
	env.MustSignUp(b, "bench@example.com", pw1)
	token := env.MustLogin(b, "bench@example.com", pw1)
	for path, cookie := range map[string]string{"/account/login": "", "/account/me": token} {
		b.Run(strings.TrimPrefix(path, "/account/"), func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: env.Config.SessionCookie(), Value: cookie})
				}
				rec := httptest.NewRecorder()
				pages.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, rec.Code)
				}
			}
		})
	}
}
