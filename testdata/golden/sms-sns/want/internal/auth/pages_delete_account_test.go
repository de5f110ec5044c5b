// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestPagesDeleteAccount: the account page links a confirmation step that
// asks for the password; a wrong one is shown beside the field, the right
// one deletes the account and signs out.
func TestPagesDeleteAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := newSite(t, env)
	signUp(t, env, "oscar@example.com", pw1)
	cookie := s.signIn(t, "oscar@example.com", pw1)
	wantPage(t, s.get(t, "/account/me", cookie), http.StatusOK, `href="/account/delete-account"`)
	wantPage(t, s.get(t, "/account/delete-account", cookie), http.StatusOK, "oscar@example.com", `action="/account/delete-account"`)
	wantRedirect(t, s.get(t, "/account/delete-account", ""), "/account/login?next=%2Faccount%2Fdelete-account")

	p := s.post(t, "/account/delete-account", cookie, url.Values{"current_password": {pw2}})
	wantPage(t, p, http.StatusBadRequest, `id="delete-account-current_password-error">Current password is incorrect.`)
	p = s.post(t, "/account/delete-account", cookie, url.Values{"current_password": {pw1}})
	wantRedirect(t, p, "/account/login?done=deleted")
	if p.cookie == nil || p.cookie.MaxAge >= 0 {
		t.Errorf("deletion did not drop the cookie: %+v", p.cookie)
	}
	wantStatus(t, env.Login(t, "oscar@example.com", pw1), http.StatusUnauthorized)
}
