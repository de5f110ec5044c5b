// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"testing"

	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
)

// TestOAuthSignInAsksForTheSMSCode: a provider sign-in stands in for the
// password, not for the second factor. An account with SMS codes on gets
// the code step from the exchange, as from POST /login, and a session only
// with the code.
func TestOAuthSignInAsksForTheSMSCode(t *testing.T) {
	env, idp := googleEnv(t, func(c *config.Config) { c.OAuth.AutoLinkVerifiedEmails = true })
	const phone = "+14155550123"
	id := mfaUser(t, env, "kim@example.com", phone)
	idp.SetIdentity(authtest.Identity{Subject: "g-9", Email: "kim@example.com", EmailVerified: true})

	r := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "?redirect_to=/after")))
	wantStatus(t, r, http.StatusOK)
	pending := r.Str("mfa_pending_token")
	if r.Str("status") != "mfa_required" || pending == "" || r.Str("access_token") != "" || r.Str("redirect_to") != "/after" {
		t.Fatalf("exchange for an account with SMS codes on = %s", r)
	}
	s := mfaConfirm(t, env, pending, env.Phones.Code(t, phone))
	wantStatus(t, s, http.StatusOK)
	if me := env.Me(t, s.Str("access_token")); me.Str("id") != id {
		t.Errorf("signed in as %s, want %s", me.Str("id"), id)
	}
}
