package e2e

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// uiPrefix is where the starter app serves its account pages (ui_prefix);
// the emailed links point there too (email_link_prefix defaults to it).
const uiPrefix = "/account"

// TestBrowserAccountPages walks a person's whole account life through the
// starter app's pages (generated with the defaults: pages on, SQLite) in
// Chromium with JavaScript off, with the mail going through real SMTP:
// register → the verification link of the mail → confirm (a button POST)
// → a failed sign-in shows the error beside the form → sign in → the
// account page → change the name → change the password (a bearer session
// from the JSON API ends: 401) → sign out of all other devices (a second
// browser's session ends) → change the email (confirmed from the link) →
// forgot/reset password → sign out → delete the account (confirmation
// page, password); forms posted from another site (sign out, sign in) are
// refused with 403 and change nothing. Every page is captured (light and dark, 1280 and
// 375 px) and checked for accessibility.
func TestBrowserAccountPages(t *testing.T) {
	bin, host := starterApp(t, "sqlite")
	sink := startSink(t)
	app := startApp(t, bin, host, appEnv(t, sink, "sqlite", cheapHashEnv...))
	p := browserTab(t)
	start := time.Now()
	ui := app.BaseURL + uiPrefix

	const (
		email    = "page-person@example.com"
		newEmail = "page-person-moved@example.com"
		pass1    = "first-page-password-1"
		pass2    = "second-page-password-2"
		pass3    = "third-page-password-3"
	)

	// Register.
	wantPage(t, p, ui+"/register", http.StatusOK)
	p.capture("register")
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", pass1)
	if p.has("input[name=full_name]") {
		p.fill("input[name=full_name]", "Page Person")
	}
	if status := p.submit(formButton("password")); status != http.StatusOK {
		t.Fatalf("register: %d, want 200 (check your email)\n%s", status, p.text("main"))
	}
	p.capture("register-check-email")

	// Verify from the mail: the GET shows a button, the POST confirms.
	link := mailLink(t, waitMail(t, sink, email), app.BaseURL, uiPrefix+"/verify")
	wantPage(t, p, link, http.StatusOK)
	p.capture("verify")
	if status := p.submit("main form button[type=submit]"); status != http.StatusOK {
		t.Fatalf("confirm the address: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("verify-done")

	// A wrong password: 401, the message in the form's card (role=alert),
	// the email kept, the password not.
	wantPage(t, p, ui+"/login", http.StatusOK)
	p.capture("login")
	p.docImage("pages-login")
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", "not-the-password-0")
	if status := p.submit(formButton("password")); status != http.StatusUnauthorized {
		t.Errorf("sign in with a wrong password: %d, want 401", status)
	}
	checkAlert(t, p, "a wrong password")
	checkFormDescribedByAlert(t, p, "a wrong password")
	checkKept(t, p, email)
	p.capture("login-error")

	// A value the browser would have refused (the form's own checks off,
	// as in a browser without them): 422, the message beside its field
	// (aria-invalid, aria-describedby).
	p.do("turn off the form's validation", chromedp.SetAttributeValue(chromedp.CSS(formWith("password")), "novalidate", ""))
	p.fill("input[name=email]", "not-an-address")
	p.fill("input[name=password]", "not-the-password-0")
	if status := p.submit(formButton("password")); status != http.StatusUnprocessableEntity {
		t.Errorf("sign in with a malformed address: %d, want 422", status)
	}
	checkFieldError(t, p, "a malformed address")
	checkKept(t, p, "not-an-address")
	p.capture("login-field-error")

	// Sign in: the account page.
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", pass1)
	if status := p.submit(formButton("password")); status != http.StatusOK {
		t.Fatalf("sign in: %d, want 200 (the account page)\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if text := p.text("main"); !strings.Contains(text, email) {
		t.Errorf("the account page does not show %s:\n%s", email, text)
	}
	p.capture("me")
	p.docImage("pages-account")

	// Change the name.
	p.fill("input[name=full_name]", "Renamed Person")
	if status := p.submit(formButton("full_name")); status != http.StatusOK {
		t.Fatalf("change the name: %d, want 200\n%s", status, p.text("main"))
	}
	if v := eval[string](p, "full_name value", `document.querySelector("input[name=full_name]")?.value ?? ""`); v != "Renamed Person" &&
		!strings.Contains(p.text("main"), "Renamed Person") {
		t.Errorf("after changing the name the page does not show it")
	}
	if r := app.Do(t, "GET", apiPrefix+"/me", login(t, app, email, pass1), nil); r.JSON()["full_name"] != "Renamed Person" {
		t.Errorf("GET /me after changing the name on the page: %s", r)
	}
	p.capture("me-name-changed")

	// Change the password: another session (a bearer token) ends.
	bearer := login(t, app, email, pass1)
	p.fill("input[name=current_password]", pass1)
	p.fill("input[name=new_password]", pass2)
	if status := p.submit(formButton("new_password")); status != http.StatusOK {
		t.Fatalf("change the password: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("password-changed")
	if r := app.Do(t, "GET", apiPrefix+"/me", bearer, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the bearer session after the password change on the page: %s, want 401", r)
	}
	// Every session ended, this browser's too: the sign-in page.
	wantPath(t, p, uiPrefix+"/login")
	signIn(t, p, ui, email, pass2)

	// Sign out of all other devices: a second browser's session ends,
	// this one stays.
	other := browserTab(t)
	signIn(t, other, ui, email, pass2)
	wantPage(t, p, ui+"/me", http.StatusOK)
	if status := p.submitLabelled("Sign out of all other devices"); status != http.StatusOK {
		t.Fatalf("sign out of all other devices: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("other-devices-signed-out")
	wantPage(t, p, ui+"/me", http.StatusOK)
	wantPath(t, p, uiPrefix+"/me")
	other.open(ui + "/me")
	wantPath(t, other, uiPrefix+"/login")

	// Change the email: confirmed from the link mailed to the new address.
	wantPage(t, p, ui+"/me", http.StatusOK)
	p.fill("input[name=new_email]", newEmail)
	if p.has(formWith("new_email") + " input[name=current_password]") {
		p.fill(formWith("new_email")+" input[name=current_password]", pass2)
	}
	if status := p.submit(formButton("new_email")); status != http.StatusOK {
		t.Fatalf("change the email: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("email-change-requested")
	link = mailLink(t, waitMail(t, sink, newEmail), app.BaseURL, uiPrefix+"/confirm-email-change")
	wantPage(t, p, link, http.StatusOK)
	p.capture("confirm-email-change")
	if status := p.submit("main form button[type=submit]"); status != http.StatusOK {
		t.Fatalf("confirm the new email: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("email-changed")
	login(t, app, newEmail, pass2)
	p.open(ui + "/me")
	wantPath(t, p, uiPrefix+"/login") // the change signed the browser out

	// Forgot the password: the reset link sets a new one.
	wantPage(t, p, ui+"/forgot", http.StatusOK)
	p.capture("forgot")
	p.fill("input[name=email]", newEmail)
	if status := p.submit(formButton("email")); status != http.StatusOK {
		t.Fatalf("forgot password: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("forgot-sent")
	link = mailLink(t, waitMail(t, sink, newEmail), app.BaseURL, uiPrefix+"/reset")
	wantPage(t, p, link, http.StatusOK)
	p.capture("reset")
	p.fill("input[name=new_password]", pass3)
	if status := p.submit(formButton("new_password")); status != http.StatusOK {
		t.Fatalf("reset the password: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("reset-done")
	wantPath(t, p, uiPrefix+"/login")
	login(t, app, newEmail, pass3)

	// A sign-out form posted from another site is refused; the session
	// stays.
	signIn(t, p, ui, newEmail, pass3)
	evil := serveOtherSite(t, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other site</title></head>
<body><main><h1>Other site</h1><form method="post" action="`+ui+`/logout"><button type="submit">Go</button></form></main></body></html>`)
	wantPage(t, p, evil, http.StatusOK)
	if status := p.submit("form button[type=submit]"); status != http.StatusForbidden {
		t.Errorf("sign-out form posted from %s: %d, want 403", evil, status)
	}
	wantPage(t, p, ui+"/me", http.StatusOK)
	wantPath(t, p, uiPrefix+"/me")

	// Sign out: the account page asks to sign in again.
	if status := p.submit(`form[action$="/logout"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("sign out: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("signed-out")
	wantPath(t, p, uiPrefix+"/login")
	p.open(ui + "/me")
	wantPath(t, p, uiPrefix+"/login")
	if next := pageURL(t, p).Query().Get("next"); next == "" {
		t.Errorf("the redirect from the account page to %s has no next parameter", p.location())
	}

	// A sign-in form posted from another site is refused and signs nobody
	// in.
	evil = serveOtherSite(t, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other site</title></head>
<body><main><h1>Other site</h1><form method="post" action="`+ui+`/login">
<input type="hidden" name="email" value="`+newEmail+`"><input type="hidden" name="password" value="`+pass3+`">
<button type="submit">Go</button></form></main></body></html>`)
	wantPage(t, p, evil, http.StatusOK)
	if status := p.submit("form button[type=submit]"); status != http.StatusForbidden {
		t.Errorf("sign-in form posted from %s: %d, want 403", evil, status)
	}
	p.capture("cross-site-refused")
	p.open(ui + "/me")
	wantPath(t, p, uiPrefix+"/login") // the refused post signed nobody in

	// Delete the account: a confirmation step, then the password.
	signIn(t, p, ui, newEmail, pass3)
	bearer = login(t, app, newEmail, pass3)
	wantPage(t, p, ui+"/delete-account", http.StatusOK)
	p.capture("delete-account")
	p.fill(formWith("current_password")+" input[name=current_password]", pass3)
	if status := p.submit(formButton("current_password")); status != http.StatusOK {
		t.Fatalf("delete the account: %d, want 200\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/login")
	p.capture("account-deleted")
	if r := app.Do(t, "GET", apiPrefix+"/me", bearer, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("a bearer session of the deleted account: %s, want 401", r)
	}
	if r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": newEmail, "password": pass3}); r.Status != http.StatusUnauthorized {
		t.Errorf("login to the deleted account: %s, want 401", r)
	}

	t.Logf("account pages flow (%d captures): %s", p.shots, time.Since(start).Round(time.Millisecond))
}

// signIn signs p in at ui/login (ui: the app's URL + uiPrefix) unless it
// already is, and checks it lands on the account page.
func signIn(t *testing.T, p *tab, ui, email, password string) {
	t.Helper()
	p.open(ui + "/me")
	if strings.HasSuffix(pageURL(t, p).Path, "/me") {
		return
	}
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", password)
	if status := p.submit(formButton("password")); status != http.StatusOK {
		t.Fatalf("sign in as %s: %d, want 200\n%s", email, status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
}

// checkAlert: after a refused form, a visible role=alert message in main
// says why.
func checkAlert(t *testing.T, p *tab, what string) {
	t.Helper()
	msg := eval[string](p, "alert", `(() => {
		for (const m of document.querySelectorAll('main [role=alert]')) {
			if (m.getClientRects().length && m.textContent.trim()) return m.textContent.trim();
		}
		return '';
	})()`)
	if msg == "" {
		t.Errorf("after %s the page shows no role=alert message:\n%s", what, p.text("main"))
	} else {
		t.Logf("%s: the page says %q", what, msg)
	}
}

// checkFormDescribedByAlert: after a refused sign-in the form points
// (aria-describedby) at the visible role=alert message, so a screen reader
// that lands on the form hears why it was refused.
func checkFormDescribedByAlert(t *testing.T, p *tab, what string) {
	t.Helper()
	ok := eval[bool](p, "form described by alert", `(() => {
		const f = document.querySelector('main form');
		const id = f && f.getAttribute('aria-describedby');
		const m = id && document.getElementById(id);
		return !!(m && m.getAttribute('role') === 'alert' && m.getClientRects().length && m.textContent.trim());
	})()`)
	if !ok {
		t.Errorf("after %s the sign-in form is not described by (aria-describedby) a visible role=alert message", what)
	}
}

// checkKept: after a refused sign-in the email field holds what was typed
// and the password field is empty.
func checkKept(t *testing.T, p *tab, email string) {
	t.Helper()
	if v := eval[string](p, "email value", `document.querySelector("input[name=email]").value`); v != email {
		t.Errorf("after a refused sign-in the email field holds %q, want %q (kept)", v, email)
	}
	if v := eval[string](p, "password value", `document.querySelector("input[name=password]").value`); v != "" {
		t.Errorf("after a refused sign-in the password field is not empty")
	}
}

// checkFieldError: after a refused form, a field is marked invalid and
// points (aria-describedby) at a visible message.
func checkFieldError(t *testing.T, p *tab, what string) {
	t.Helper()
	msg := eval[string](p, "field error", `(() => {
		for (const el of document.querySelectorAll('input[aria-describedby]')) {
			if (el.getAttribute('aria-invalid') !== 'true') continue;
			for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
				const m = document.getElementById(id);
				if (m && m.getClientRects().length && m.textContent.trim()) return m.textContent.trim();
			}
		}
		return '';
	})()`)
	if msg == "" {
		t.Errorf("after %s no field has aria-invalid=true and aria-describedby pointing at a visible message:\n%s",
			what, p.text("main"))
	} else {
		t.Logf("%s: the form says %q", what, msg)
	}
}

// formWith selects the form that has a field named name.
func formWith(name string) string { return "main form:has([name=" + name + "])" }

// formButton selects the submit button of the form with a field name.
func formButton(name string) string { return formWith(name) + " button[type=submit]" }

// wantPage opens url and fails unless it answers status.
func wantPage(t *testing.T, p *tab, url string, status int) {
	t.Helper()
	if got := p.open(url); got != status {
		t.Fatalf("GET %s: %d, want %d\n%s", url, got, status, p.text("body"))
	}
}

// wantPath fails unless the page's URL path is path.
func wantPath(t *testing.T, p *tab, path string) {
	t.Helper()
	if got := pageURL(t, p).Path; got != path {
		t.Errorf("the browser is at %s, want the path %s", p.location(), path)
	}
}

func pageURL(t *testing.T, p *tab) *url.URL {
	t.Helper()
	u, err := url.Parse(p.location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestBrowserVerifyLink: a person registers (JSON API) and opens the
// verification link of the real mail in Chromium with JavaScript off: the
// page shows a button and the GET verifies nothing. Signing in before
// confirming is refused (401, as for an unknown address); the page of a
// bad link offers to mail a new link, which arrives; that link's form
// posted from another site is refused (403);
// pressing the button on the app's own page confirms the address (the
// account can sign in), and pressing it again says the link is spent.
// Every page is captured (light and dark, 1280 and 375 px) and checked.
func TestBrowserVerifyLink(t *testing.T) {
	bin, host := starterApp(t, "sqlite")
	sink := startSink(t)
	app := startApp(t, bin, host, appEnv(t, sink, "sqlite", cheapHashEnv...))
	p := browserTab(t)
	start := time.Now()
	ui := app.BaseURL + uiPrefix

	const (
		email    = "browser-verify@example.com"
		password = "verify-in-a-browser-1"
	)
	r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": password})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %s, want 201", r)
	}
	link := mailLink(t, waitMail(t, sink, email), app.BaseURL, "/verify")

	// Opening the link shows a form; the account is still unverified.
	wantPage(t, p, link, http.StatusOK)
	p.capture("verify-link")
	if r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": password}); r.Status == http.StatusOK {
		t.Fatalf("login after only opening the link: %s, want a refusal (the GET must not verify)", r)
	}

	// Signing in first is refused like an unknown address: the account
	// only exists once the address is confirmed.
	wantPage(t, p, ui+"/login", http.StatusOK)
	p.fill("input[name=email]", email)
	p.fill("input[name=password]", password)
	if status := p.submit(formButton("password")); status != http.StatusUnauthorized {
		t.Errorf("sign in before confirming: %d, want 401", status)
	}
	checkAlert(t, p, "signing in before confirming")

	// A link that does not work offers to mail a new one, which arrives.
	wantPage(t, p, ui+"/verify?token="+strings.Repeat("x", 43), http.StatusOK)
	if status := p.submit("main form button[type=submit]"); status < 400 {
		t.Errorf("confirming with a made-up token: %d, want an error status", status)
	}
	checkAlert(t, p, "a made-up token")
	resend := `form[action$="/resend-verification"]`
	if !p.has(resend + " input[name=email]") {
		t.Fatalf("the page of a bad link offers no resend-verification form:\n%s", p.text("main"))
	}
	p.capture("verify-bad-link")
	p.fill(resend+" input[name=email]", email)
	if status := p.submit(resend + " button[type=submit]"); status != http.StatusOK {
		t.Fatalf("resend the verification link: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("verification-resent")
	link = mailLink(t, waitMail(t, sink, email), app.BaseURL, "/verify")

	// The link's form, served by another site, is refused.
	evil := crossSiteForm(t, link)
	wantPage(t, p, evil, http.StatusOK)
	if status := p.submit("form button[type=submit]"); status != http.StatusForbidden {
		t.Errorf("form posted from %s: %d, want 403", evil, status)
	}
	if loc := p.location(); !strings.HasPrefix(loc, app.BaseURL) {
		t.Errorf("after the cross-site post the browser is at %s, want the app's refusal page", loc)
	}
	p.capture("verify-cross-site-refused")

	// The app's own page confirms.
	wantPage(t, p, link, http.StatusOK)
	if status := p.submit("main form button[type=submit]"); status != http.StatusOK {
		t.Fatalf("confirm: %d, want 200\n%s", status, p.text("main"))
	}
	p.capture("verify-done")
	login(t, app, email, password)

	// The link is spent: pressing the button again says so.
	wantPage(t, p, link, http.StatusOK)
	if status := p.submit("main form button[type=submit]"); status < 400 {
		t.Errorf("confirming a used link: %d, want an error status", status)
	}
	checkAlert(t, p, "a used link")
	p.capture("verify-used-link")
	t.Logf("verify flow (link, early sign-in, bad link, resend, cross-site refusal, confirm, reuse; %d captures): %s",
		p.shots, time.Since(start).Round(time.Millisecond))
}

// crossSiteForm serves, on http://localhost:PORT (another site than the
// app's http://127.0.0.1:PORT), a page whose form posts the token of link
// to link's page, and returns the page's URL.
func crossSiteForm(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	u.RawQuery = ""
	page := fmt.Sprintf(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head>
<body><main><h1>Win a prize</h1>
<form method="post" action="%s"><input type="hidden" name="token" value="%s">
<button type="submit">Claim</button></form></main></body></html>`, html.EscapeString(u.String()), html.EscapeString(token))
	return serveOtherSite(t, page)
}

// serveOtherSite serves body as text/html on http://localhost:PORT/ and
// returns that URL.
func serveOtherSite(t testing.TB, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"
}
