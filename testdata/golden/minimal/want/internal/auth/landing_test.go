// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// linkSite serves the landing pages the way main.go mounts them, beside the
// environment's API server, and returns its base URL.
func linkSite(t *testing.T, env *authtest.Env) string {
	t.Helper()
	mux := http.NewServeMux()
	pages := env.Auth.LinkPages()
	for _, p := range env.Auth.LinkPagePaths() {
		mux.Handle(p, pages)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

type page struct {
	status int
	header http.Header
	body   string
}

func getPage(t *testing.T, method, u string) page {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doPage(t, req)
}

func postPage(t *testing.T, u string, form url.Values, headers ...authtest.Header) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, h := range headers {
		req.Header.Set(h.Key, h.Value)
	}
	return doPage(t, req)
}

func doPage(t *testing.T, req *http.Request) page {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

// wantPage checks the status, the headers every landing page carries and
// that the body contains each of want.
func wantPage(t *testing.T, p page, status int, want ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d:\n%s", p.status, status, p.body)
	}
	h := p.header
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
		t.Fatalf("Content-Security-Policy %q", csp)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers %v", h)
	}
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Fatalf("page lacks %q:\n%s", w, p.body)
		}
	}
	for _, no := range []string{"<script", "<style", "style=", "onclick"} {
		if strings.Contains(p.body, no) {
			t.Fatalf("page contains %q:\n%s", no, p.body)
		}
	}
}

// TestLinkPagePaths: one page per emailed link whose flow is served, under
// email_link_prefix.
func TestLinkPagePaths(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EmailLinkPrefix = "/account" })
	paths := env.Auth.LinkPagePaths()
	for _, want := range []string{"/account/verify", "/account/confirm-email-change"} {
		if !slices.Contains(paths, want) {
			t.Fatalf("paths %v lack %s", paths, want)
		}
	}
	// A page under the API prefix would shadow the JSON route.
	clash := newEnv(t, func(c *config.Config) { c.EmailLinkPrefix = c.APIPrefix })
	if p := clash.Auth.LinkPagePaths(); len(p) != 0 {
		t.Fatalf("pages under the API prefix: %v", p)
	}
}

// TestVerifyLinkPage: opening the emailed link shows a form and uses
// nothing (a mail scanner may open it first); posting the form verifies.
func TestVerifyLinkPage(t *testing.T) {
	t.Parallel()
	env := newEnv(t, withVerification)
	site := linkSite(t, env)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	link := site + "/verify?token=" + url.QueryEscape(tok)

	for range 2 {
		p := getPage(t, http.MethodGet, link)
		wantPage(t, p, http.StatusOK, "Confirm your email address", `<form method="post" action="verify">`,
			`<input type="hidden" name="token" value="`+tok+`">`, `<button type="submit">`)
		wantPage(t, getPage(t, http.MethodHead, link), http.StatusOK)
	}
	// The account does not exist yet: the GETs consumed nothing.
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)

	// A cross-site post is refused, and uses nothing either.
	p := postPage(t, site+"/verify", url.Values{"token": {tok}}, authtest.Header{Key: "Sec-Fetch-Site", Value: "cross-site"})
	wantPage(t, p, http.StatusForbidden)

	p = postPage(t, site+"/verify", url.Values{"token": {tok}}, authtest.Header{Key: "Sec-Fetch-Site", Value: "same-origin"})
	wantPage(t, p, http.StatusOK, "Your email address is confirmed.")
	env.MustLogin(t, "alice@example.com", pw1)

	// Single use, as through the API.
	p = postPage(t, site+"/verify", url.Values{"token": {tok}})
	wantPage(t, p, http.StatusBadRequest, "Verification token is invalid or has expired.")

	// A link without its token, or a form without one, says so.
	wantPage(t, getPage(t, http.MethodGet, site+"/verify"), http.StatusBadRequest, "This link is incomplete.")
	wantPage(t, postPage(t, site+"/verify", url.Values{}), http.StatusBadRequest, "This link is incomplete.")
	// Markup in a token is escaped, not rendered.
	wantPage(t, getPage(t, http.MethodGet, site+"/verify?token="+url.QueryEscape(`"><script>x</script>`)), http.StatusOK, `value="&#34;&gt;&lt;script&gt;`)
	// Other methods are refused.
	req, _ := http.NewRequest(http.MethodPut, link, nil)
	if p := doPage(t, req); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "GET, HEAD, POST" {
		t.Fatalf("PUT: %d %v", p.status, p.header)
	}
}

// TestConfirmEmailChangeLinkPage: the link sent to the new address moves
// the account when the form is posted, not when the page is opened.
func TestConfirmEmailChangeLinkPage(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EmailLinkPrefix = "/account" })
	site := linkSite(t, env)
	_, session := signUp(t, env, "alice@example.com", pw1)
	r := env.Do(t, http.MethodPost, "/change-email", map[string]any{"new_email": "alice@new.example", "current_password": pw1}, authtest.Bearer(session))
	wantStatus(t, r, http.StatusAccepted)
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@new.example"))

	link := site + "/account/confirm-email-change?token=" + url.QueryEscape(tok)
	wantPage(t, getPage(t, http.MethodGet, link), http.StatusOK, "Confirm your new email address", `action="confirm-email-change"`)
	if me := env.Me(t, session); me.Str("email") != "alice@example.com" {
		t.Fatalf("opening the page changed the address: %s", me)
	}
	p := postPage(t, site+"/account/confirm-email-change", url.Values{"token": {tok}})
	wantPage(t, p, http.StatusOK, "Your email address has been changed.")
	env.Clock.Advance(time.Millisecond) // a sign-in at the cutoff instant is refused
	env.MustLogin(t, "alice@new.example", pw1)
	// Paths outside the pages are not served.
	rec := httptest.NewRecorder()
	env.Auth.LinkPages().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/account/verify-not?token=x", nil))
	wantPage(t, page{rec.Code, rec.Header(), rec.Body.String()}, http.StatusNotFound)
}
