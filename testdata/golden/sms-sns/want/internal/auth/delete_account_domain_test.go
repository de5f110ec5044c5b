// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"errors"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
)

// DeleteAccount re-authenticates with the current password, honours
// enable_account_deletion and leaves the account's sessions invalid.
func TestDeleteAccountDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	ctx := context.Background()
	res, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Auth.DeleteAccount(ctx, res.Session.User, pw2); !errors.Is(err, auth.ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	if err := env.Auth.DeleteAccount(ctx, res.Session.User, pw1); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	want401(t, env.Me(t, res.Session.Token), detailBadToken)
	if _, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("sign-in after deletion: %v, want ErrInvalidCredentials", err)
	}

	off := newEnv(t, func(c *config.Config) { c.EnableAccountDeletion = false })
	signUp(t, off, "bob@example.com", pw1)
	res, err = off.Auth.Authenticate(ctx, "bob@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	if err := off.Auth.DeleteAccount(ctx, res.Session.User, pw1); !errors.Is(err, auth.ErrDeletionDisabled) {
		t.Fatalf("deletion disabled: %v, want ErrDeletionDisabled", err)
	}
}
