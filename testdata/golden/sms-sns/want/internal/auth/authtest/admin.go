// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"testing"
)

// MustAdmin makes email an administrator the way `regstack create-admin`
// does (a verified superuser with password, or an existing account
// promoted), signs in and returns the account's id and session token.
func (e *Env) MustAdmin(t testing.TB, email, password string) (id, token string) {
	t.Helper()
	u, _, err := e.Auth.BootstrapAdmin(context.Background(), email, password)
	if err != nil {
		t.Fatalf("making %s an administrator: %v", email, err)
	}
	return u.ID, e.MustLogin(t, email, password)
}

// Admin sends a request to an admin route (a path under the API prefix,
// e.g. "/admin/users") with the token as bearer.
func (e *Env) Admin(t testing.TB, token, method, route string, body any) *Response {
	t.Helper()
	return e.Do(t, method, route, body, Bearer(token))
}
