// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/emailaddr"
	"example.com/demo/internal/auth/store"
)

// This file holds what the operator program (cmd/authctl, driven by
// `regstack create-admin`, `regstack migrate` and `regstack doctor`) needs
// from the package. It is ordinary API: a host may call it from its own
// commands or seeding code too.

// OpenMigrator opens the schema steps of the configured database without
// applying anything. Close it when done.
func OpenMigrator(ctx context.Context, cfg config.Config) (store.Migrator, error) {
	return openMigrator(ctx, cfg, slog.Default())
}

// AdminOutcome says what BootstrapAdmin did.
type AdminOutcome string

// The outcomes of BootstrapAdmin.
const (
	// AdminCreated: a new verified, active superuser with the given password.
	AdminCreated AdminOutcome = "created"
	// AdminPromoted: an existing user became a superuser; their password,
	// verification and active state were left as they were.
	AdminPromoted AdminOutcome = "promoted"
	// AdminUnchanged: the user already was a superuser.
	AdminUnchanged AdminOutcome = "unchanged"
)

// ErrPasswordRules means a password is outside the rules every route
// enforces: 8 to 128 characters (Unicode code points).
var ErrPasswordRules = fmt.Errorf("auth: a password must be %d to %d characters", passwordMinLen, passwordMaxLen)

// ErrUnverifiedAccount means BootstrapAdmin found an existing account for
// the address whose owner never verified it, and was not given
// PromoteUnverified. It returns that account with the error.
var ErrUnverifiedAccount = errors.New("auth: the existing account's email address is not verified")

// AdminOption changes what BootstrapAdmin may do.
type AdminOption func(*adminOptions)

type adminOptions struct {
	promoteUnverified bool
}

// PromoteUnverified lets BootstrapAdmin promote an existing account whose
// address was never verified. Without it such an account is refused: when
// sign-up does not require verification anyone can register any address,
// so an attacker may have registered the administrator's address first,
// with a password of their own, waiting to be promoted.
func PromoteUnverified() AdminOption {
	return func(o *adminOptions) { o.promoteUnverified = true }
}

// BootstrapAdmin makes email an administrator. An existing account (looked
// up case-insensitively) is promoted without touching its password, which is
// then ignored, provided its address is verified (or PromoteUnverified is
// given; otherwise ErrUnverifiedAccount); with no account a verified, active
// superuser is created with plain as its password, hashed with the
// configured Argon2id parameters.
func (a *Auth) BootstrapAdmin(ctx context.Context, email, plain string, opts ...AdminOption) (*store.User, AdminOutcome, error) {
	var o adminOptions
	for _, opt := range opts {
		opt(&o)
	}
	if !a.databaseOpen() {
		// New keeps retrying an unreachable database in the background;
		// a one-shot command has nothing to wait for.
		return nil, "", fmt.Errorf("auth: %w", store.ErrUnavailable)
	}
	email, err := emailaddr.Normalize(email)
	if err != nil {
		return nil, "", fmt.Errorf("auth: %w", err)
	}
	// One retry covers a sign-up that takes the address between the lookup
	// and the insert: the second round finds and promotes it.
	for range 2 {
		u, err := a.store.UserByEmail(ctx, email)
		switch {
		case err == nil:
			return a.promote(ctx, u, o)
		case !errors.Is(err, store.ErrNotFound):
			return nil, "", err
		}
		if n := utf8.RuneCountInString(plain); n < passwordMinLen || n > passwordMaxLen {
			return nil, "", ErrPasswordRules
		}
		hash, err := a.hasher.Hash(ctx, plain)
		if err != nil {
			return nil, "", err
		}
		now := a.now()
		u = &store.User{
			Email:        email,
			PasswordHash: hash,
			IsActive:     true,
			IsVerified:   true,
			IsSuperuser:  true,
			CreatedAt:    now,
			UpdatedAt:    now,
		}
		switch err := a.store.CreateUser(ctx, u); {
		case err == nil:
			return u, AdminCreated, nil
		case !errors.Is(err, store.ErrEmailTaken):
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("auth: %s was taken and released again while creating the admin; try again", email)
}

func (a *Auth) promote(ctx context.Context, u *store.User, o adminOptions) (*store.User, AdminOutcome, error) {
	if u.IsSuperuser {
		return u, AdminUnchanged, nil
	}
	// Checked on the row being promoted (UpdateUser goes by its id), so a
	// sign-up racing this command cannot slip an unverified account in.
	if !u.IsVerified && !o.promoteUnverified {
		return u, "", ErrUnverifiedAccount
	}
	yes := true
	u, err := a.store.UpdateUser(ctx, u.ID, store.UserPatch{IsSuperuser: &yes}, a.now())
	if err != nil {
		return nil, "", err
	}
	return u, AdminPromoted, nil
}
