package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserGoogleSignIn walks Sign in with Google through the pages of a
// starter app generated with --google, in Chromium with JavaScript off,
// against the host's own fake OpenID provider (authtest, with its consent
// page): the login page's "Sign in with Google" link → the provider's
// consent page → Continue → the oauth-complete page → Continue → the
// account page, whose Connected accounts list Google as connected (and
// refuses to disconnect it: it is that account's only way to sign in).
// Then an account with a password: signed in with the password, Connect on
// the account page leads to the provider (a form post whose redirect the
// page's CSP form-action must allow: the header lists the provider's
// origin, and the browser really arrives at the consent page), Continue
// twice, back on the account page connected; Disconnect → not connected.
// The pages are captured (light and dark, 1280 and 375 px) and checked
// for accessibility; the Connected accounts section on its own too.
func TestBrowserGoogleSignIn(t *testing.T) {
	h := googleStarterApp(t, "sqlite")
	idp := startFakeIDP(t, h)
	sink := startSink(t)
	extra := append([]string{"REGSTACK_REQUIRE_VERIFICATION=false"}, cheapHashEnv...)
	app := startApp(t, h.app, h.dir, appEnv(t, sink, "sqlite", append(extra, idp.AppEnv()...)...))
	idp.RegisterRedirectURI(t, app.BaseURL+callbackPath)
	p := browserTab(t)
	start := time.Now()
	ui := app.BaseURL + uiPrefix
	const (
		section = "[data-rs-oauth-section]"
		row     = "[data-rs-oauth-provider=google]"
		button  = section + " form button[type=submit]"
	)

	// 1. A new account made by Google, from the login page.
	const googleEmail = "google-pages@example.com"
	idp.SetIdentity(t, googleEmail, "Pages Google")
	p.open(ui + "/login")
	link := "a[data-rs-oauth-link=google]"
	if !p.has(link) {
		t.Fatalf("the login page has no Sign in with Google link:\n%s", p.text("main"))
	}
	if got := strings.TrimSpace(p.text(link)); got != "Sign in with Google" {
		t.Errorf("the Google link says %q", got)
	}
	if got := p.attr(link, "href"); got != apiPrefix+"/oauth/google/start" {
		t.Errorf("the Google link goes to %q, want %s", got, apiPrefix+"/oauth/google/start")
	}
	p.capture("login-google")
	captureSection(t, p, "login-google-block", "[data-rs-oauth-block]")
	// The register page offers it too.
	p.open(ui + "/register")
	if got := p.attr(link, "href"); got != apiPrefix+"/oauth/google/start" {
		t.Errorf("the register page's Google link goes to %q, want %s", got, apiPrefix+"/oauth/google/start")
	}
	// Where a failed callback lands: the code as a sentence.
	p.open(ui + "/login?error=bad_state")
	checkAlert(t, p, "a callback that failed with bad_state")
	if got := p.text("main"); !strings.Contains(got, "The sign-in expired or was started in another browser.") {
		t.Errorf("the login page with error=bad_state does not explain it:\n%s", got)
	}
	p.capture("login-bad-state")
	p.open(ui + "/login")

	if status := clickForPage(p, chromedp.CSS(link)); status != http.StatusOK {
		t.Fatalf("Sign in with Google: %d, want 200 (the provider's consent page)", status)
	}
	wantConsent(t, p, idp, googleEmail)
	p.screenshot("idp-consent")

	if status := p.submitLabelled("Continue"); status != http.StatusOK {
		t.Fatalf("Continue at the provider: %d, want 200 (oauth-complete)\n%s", status, p.text("body"))
	}
	wantPath(t, p, uiPrefix+"/oauth-complete")
	if id := pageURL(t, p).Query().Get("id"); id == "" {
		t.Errorf("oauth-complete at %s without an id", p.location())
	}
	p.capture("oauth-complete")
	if status := p.submitLabelled("Continue"); status != http.StatusOK {
		t.Fatalf("Continue on oauth-complete: %d, want 200 (the account page)\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if got := p.text("#rs-oauth-title"); got != "Connected accounts" {
		t.Errorf("the account page's section title %q, want Connected accounts", got)
	}
	if got := p.text(row); !strings.Contains(got, "Connected as "+googleEmail) {
		t.Errorf("the Google row says %q, want connected as %s", got, googleEmail)
	}
	p.capture("me-google-account")
	captureSection(t, p, "me-google-account-section", section)

	// Its only way to sign in cannot be disconnected.
	if status := p.submit(button); status != http.StatusBadRequest {
		t.Errorf("Disconnect the only way to sign in: %d, want 400", status)
	}
	checkAlert(t, p, "disconnecting the only way to sign in")
	if got := p.text(row); !strings.Contains(got, "Connected as "+googleEmail) {
		t.Errorf("after the refused disconnect the Google row says %q, want still connected", got)
	}
	p.capture("me-google-only-way")

	if status := p.submit(`form[action$="/logout"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("sign out: %d, want 200\n%s", status, p.text("main"))
	}

	// 2. An account with a password connects Google, then disconnects it.
	const (
		email     = "password-pages@example.com"
		pass      = "google-in-a-browser-1"
		connected = "password-pages-google@example.com"
	)
	if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass}); r.Status != http.StatusCreated {
		t.Fatalf("register: %s, want 201", r)
	}
	idp.SetIdentity(t, connected, "Password Google")
	signIn(t, p, ui, email, pass)

	// The account page's CSP lets its forms lead to the provider.
	var csp string
	p.call("open the account page", func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(ui+"/me"))
		if err != nil {
			return err
		}
		for k, v := range resp.Headers {
			if strings.EqualFold(k, "Content-Security-Policy") {
				csp, _ = v.(string)
			}
		}
		return nil
	})
	issuer, _ := url.Parse(idp.Issuer)
	if !formActionAllows(csp, issuer.Scheme+"://"+issuer.Host) {
		t.Errorf("the account page's CSP %q: form-action does not list the provider's origin %s", csp, idp.Issuer)
	}
	if got := p.text(row); !strings.Contains(got, "Not connected") {
		t.Errorf("the Google row of a password account says %q, want not connected", got)
	}
	p.capture("me-google-not-connected")
	captureSection(t, p, "me-google-not-connected-section", section)

	if status := p.submit(button); status != http.StatusOK {
		t.Fatalf("Connect Google: %d, want 200 (the provider's consent page)\n%s", status, p.text("body"))
	}
	// Arriving here proves the browser followed the form's redirect to the
	// provider's origin, which a form-action without it would block.
	wantConsent(t, p, idp, connected)
	p.checkRefused("Connect Google")
	if status := p.submitLabelled("Continue"); status != http.StatusOK {
		t.Fatalf("Continue at the provider: %d\n%s", status, p.text("body"))
	}
	wantPath(t, p, uiPrefix+"/oauth-complete")
	if status := p.submitLabelled("Continue"); status != http.StatusOK {
		t.Fatalf("Continue on oauth-complete: %d\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if got := p.text(row); !strings.Contains(got, "Connected as "+connected) {
		t.Errorf("after Connect the Google row says %q, want connected as %s", got, connected)
	}
	if got := p.text("main"); !strings.Contains(got, "The account is connected: you can sign in with it from now on.") {
		t.Errorf("after Connect the account page does not say so:\n%s", got)
	}
	r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": pass})
	if tok, _ := r.JSON()["access_token"].(string); tok == "" {
		t.Errorf("login with the password after connecting Google: %s", r)
	} else if me := app.Do(t, "GET", apiPrefix+"/me", tok, nil); me.JSON()["email"] != email {
		t.Errorf("the connected account's me: %s, want %s (connecting keeps the address)", me, email)
	}
	p.capture("me-google-connected")
	captureSection(t, p, "me-google-connected-section", section)

	if status := p.submit(button); status != http.StatusOK {
		t.Fatalf("Disconnect Google: %d, want 200\n%s", status, p.text("main"))
	}
	wantPath(t, p, uiPrefix+"/me")
	if got := p.text(row); !strings.Contains(got, "Not connected") {
		t.Errorf("after Disconnect the Google row says %q, want not connected", got)
	}
	if got := p.text("main"); !strings.Contains(got, "The account is disconnected.") {
		t.Errorf("after Disconnect the account page does not say so:\n%s", got)
	}
	p.capture("me-google-disconnected")
	t.Logf("Google pages flow (%d captures): %s", p.shots, time.Since(start).Round(time.Millisecond))
}

// wantConsent: the tab is at the provider's consent page for email.
func wantConsent(t *testing.T, p *tab, idp *fakeIDP, email string) {
	t.Helper()
	if loc := p.location(); !strings.HasPrefix(loc, idp.Issuer+"/") {
		t.Fatalf("the browser is at %s, want the provider %s\n%s", loc, idp.Issuer, p.text("body"))
	}
	if got := p.text("#email"); got != email {
		t.Errorf("the consent page signs in %q, want %s", got, email)
	}
}

// formActionAllows reports whether the form-action directive of csp lists
// origin.
func formActionAllows(csp, origin string) bool {
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == "form-action" {
			for _, src := range f[1:] {
				if strings.TrimSuffix(src, "/") == origin {
					return true
				}
			}
		}
	}
	return false
}
