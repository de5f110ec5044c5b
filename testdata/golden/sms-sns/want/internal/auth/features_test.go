// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import "example.com/demo/internal/auth/config"

// What the suite expects of the flows chosen when this package was
// generated.

// detailNoPasswordSet is the answer to a change that needs the current
// password, asked of an account without one (ErrNoPassword).
const detailNoPasswordSet = "No password set on this account. Use forgot-password to set one before changing account details."

// withoutReset configures an Auth that mails no link to choose a password
// with (enable_password_reset = false).
func withoutReset(c *config.Config) {
	c.EnablePasswordReset = false
}
