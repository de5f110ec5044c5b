// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"errors"
	"testing"

	"example.com/demo/internal/auth"
)

// BootstrapAdmin (behind `regstack create-admin`) promotes an existing
// account only if its address was verified: otherwise the account may be
// an attacker's, registered with the administrator's address in advance.
// PromoteUnverified overrides that.
func TestBootstrapAdminRefusesUnverifiedAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	squatter := createUser(t, env, "root@example.com", pw1, true, false)

	u, outcome, err := env.Auth.BootstrapAdmin(ctx, "ROOT@example.com", "")
	if !errors.Is(err, auth.ErrUnverifiedAccount) || u == nil || u.ID != squatter.ID || outcome != "" {
		t.Fatalf("BootstrapAdmin of an unverified account = %+v, %q, %v; want the account and ErrUnverifiedAccount", u, outcome, err)
	}
	// A password does not help: the account keeps the squatter's.
	if _, _, err := env.Auth.BootstrapAdmin(ctx, "root@example.com", "new-admin-password-1"); !errors.Is(err, auth.ErrUnverifiedAccount) {
		t.Fatalf("with a password: %v", err)
	}
	st := sideStore(t, env)
	if got, err := st.UserByID(ctx, squatter.ID); err != nil || got.IsSuperuser {
		t.Fatalf("the account was promoted: %+v, %v", got, err)
	}

	u, outcome, err = env.Auth.BootstrapAdmin(ctx, "root@example.com", "", auth.PromoteUnverified())
	if err != nil || outcome != auth.AdminPromoted || !u.IsSuperuser {
		t.Fatalf("with PromoteUnverified: %+v, %q, %v", u, outcome, err)
	}

	verified := createUser(t, env, "bob@example.com", pw1, true, true)
	u, outcome, err = env.Auth.BootstrapAdmin(ctx, "bob@example.com", "")
	if err != nil || outcome != auth.AdminPromoted || u.ID != verified.ID {
		t.Fatalf("a verified account: %+v, %q, %v", u, outcome, err)
	}
}
