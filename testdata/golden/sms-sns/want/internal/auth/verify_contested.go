// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"

	"example.com/demo/internal/auth/store"
)

// choosePasswordLink returns how the owner of an account created without a
// password (a contested registration, see verify.go) is mailed a link to
// choose one, or nil when this application has no such link.
// It is the password reset link, so it lasts password_reset_token_ttl_seconds
// and dies like one; with enable_password_reset off there is none.
func (a *Auth) choosePasswordLink() func(context.Context, *store.User) error {
	if !a.cfg.EnablePasswordReset {
		return nil
	}
	return a.mailResetLink
}
