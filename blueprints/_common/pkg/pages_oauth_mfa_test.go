// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
)

// TestPagesGoogleSignInAsksForTheSMSCode: on the pages, a provider
// sign-in of an account with SMS codes on goes from oauth-complete to the
// code page with the pending cookie, not to a session.
func TestPagesGoogleSignInAsksForTheSMSCode(t *testing.T) {
	env, idp := googleEnv(t, func(c *config.Config) { c.OAuth.AutoLinkVerifiedEmails = true })
	s := newSite(t, env)
	_, token := signUp(t, env, "lou@example.com", pw1)
	enrolThroughAPI(t, env, token, pagesPhone, pw1)
	env.Clock.Advance(time.Minute) // past the resend cooldown
	idp.SetIdentity(authtest.Identity{Subject: "g-10", Email: "lou@example.com", EmailVerified: true})

	id := completion(t, env, signInWithGoogle(t, env, newBrowser(t), "?redirect_to=/dashboard"))
	p, set := mfaPost(t, s, "/account/oauth-complete", "", url.Values{"id": {id}})
	wantRedirect(t, p, "/account/mfa-confirm?next=%2Fdashboard")
	if p.cookie != nil {
		t.Errorf("the provider alone set a session cookie: %+v", p.cookie)
	}
	pending := set["regstack_session_mfa"]
	wantPendingCookie(t, env, pending, "regstack_session_mfa")
	p, _ = mfaPost(t, s, "/account/mfa-confirm", "", url.Values{"code": {env.Phones.Code(t, pagesPhone)}, "next": {"/dashboard"}}, pending)
	wantRedirect(t, p, "/dashboard")
	if p.cookie == nil || p.cookie.Value == "" {
		t.Fatal("no session cookie after the code")
	}
	if http.StatusOK != s.get(t, "/account/me", p.cookie.Value).status {
		t.Error("the session after the code does not open the account page")
	}
}
