// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import "example.com/demo/internal/auth/config"

// What the suite expects of the flows chosen when this package was
// generated.

// detailNoPasswordSet is the answer to a change that needs the current
// password, asked of an account without one (ErrNoPassword).
const detailNoPasswordSet = "No password set on this account."

// withoutReset configures an Auth that mails no link to choose a password
// with; this one has none to switch off.
func withoutReset(c *config.Config) {
}
