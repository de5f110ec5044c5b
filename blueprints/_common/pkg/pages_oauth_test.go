// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"regstack.example/app/internal/auth/authtest"
)

func TestPagesGoogleLinksAndErrors(t *testing.T) {
	env, _ := googleEnv(t)
	s := newSite(t, env)
	start := `href="` + env.Config.APIPrefix + `/oauth/google/start"`
	wantPage(t, s.get(t, "/account/login", ""), http.StatusOK, start, "Sign in with Google")
	wantPage(t, s.get(t, "/account/register", ""), http.StatusOK, start, "Sign in with Google")
	wantPage(t, s.get(t, "/account/login?next=/shop", ""), http.StatusOK,
		`href="`+env.Config.APIPrefix+`/oauth/google/start?redirect_to=%2Fshop"`)
	wantPage(t, s.get(t, "/account/login?error=email_in_use", ""), http.StatusOK,
		"An account with that email already exists. Sign in with your password, then connect the provider from your account page.")
	wantPage(t, s.get(t, "/account/login?error=%3Cscript%3E", ""), http.StatusOK, "Sign-in failed.")
}

// TestPagesGoogleComplete: the oauth-complete page redeems the completion
// id once, with a form post (a GET never signs in), and sets the session
// cookie; a used or malformed id goes back to the login page.
func TestPagesGoogleComplete(t *testing.T) {
	env, _ := googleEnv(t)
	s := newSite(t, env)
	id := completion(t, env, signInWithGoogle(t, env, newBrowser(t), ""))

	wantPage(t, s.get(t, "/account/oauth-complete?id="+url.QueryEscape(id), ""), http.StatusOK,
		`action="/account/oauth-complete"`, `name="id" value="`+id+`"`, "Continue")
	// Looking at the page spent nothing.
	p := s.post(t, "/account/oauth-complete", "", url.Values{"id": {id}})
	wantRedirect(t, p, "/account/me")
	if p.cookie == nil || p.cookie.Value == "" {
		t.Fatal("no session cookie after completing")
	}
	// The account has no password: the page says how to set one instead of
	// offering forms that need it.
	me := s.get(t, "/account/me", p.cookie.Value)
	wantPage(t, me, http.StatusOK, "Connected accounts", "Set a password")
	for _, absent := range []string{"Change password", "Change email address", "Delete my account"} {
		if strings.Contains(me.body, absent) {
			t.Errorf("the account page of a password-less account offers %q", absent)
		}
	}

	wantRedirect(t, s.post(t, "/account/oauth-complete", "", url.Values{"id": {id}}), "/account/login?error=bad_state")
	wantRedirect(t, s.get(t, "/account/oauth-complete?id=x", ""), "/account/login?error=bad_state")
}

// TestPagesConnectedAccounts: the account page lists Google with a
// Connect form whose target (after our redirect) the CSP form-action
// allows; connecting leads to the provider, and a connected account can
// be disconnected unless it is the only way to sign in.
func TestPagesConnectedAccounts(t *testing.T) {
	env, idp := googleEnv(t)
	s := newSite(t, env)
	_, token := signUp(t, env, "jo@example.com", "correct horse battery")
	cookie := s.signIn(t, "jo@example.com", "correct horse battery")

	p := s.get(t, "/account/me", cookie)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Connected accounts") || !strings.Contains(p.body, `action="/account/oauth/google/link"`) {
		t.Fatalf("account page: %d\n%s", p.status, p.body)
	}
	issuer, _ := url.Parse(idp.Issuer())
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+issuer.Scheme+"://"+issuer.Host) {
		t.Errorf("CSP %q does not let the Connect form reach the provider", csp)
	}

	p = s.post(t, "/account/oauth/google/link", cookie, nil)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), idp.Issuer()) {
		t.Fatalf("connect: %d to %q, want 303 to the provider", p.status, p.header.Get("Location"))
	}
	if c := p.header.Get("Set-Cookie"); !strings.Contains(c, "regstack_oauth=") {
		t.Errorf("connect set no browser-binding cookie: %q", c)
	}

	// Linked (through the API), the page shows the connection.
	idp.SetIdentity(authtest.Identity{Subject: "g-11", Email: "jo.g@example.com", EmailVerified: true})
	wantStatus(t, exchange(t, env, completion(t, env, linkGoogle(t, env, newBrowser(t), token, ""))), http.StatusOK)
	cookie = s.signIn(t, "jo@example.com", "correct horse battery")
	wantPage(t, s.get(t, "/account/me", cookie), http.StatusOK, "Connected as jo.g@example.com", "Disconnect Google")

	wantRedirect(t, s.post(t, "/account/oauth/google/unlink", cookie, nil), "/account/me?done=unlinked")
	p = s.get(t, "/account/me?done=unlinked", cookie)
	if p.status != http.StatusOK || !strings.Contains(p.body, "The account is disconnected.") || !strings.Contains(p.body, "Not connected") {
		t.Errorf("account page after disconnecting: %d\n%s", p.status, p.body)
	}
}
