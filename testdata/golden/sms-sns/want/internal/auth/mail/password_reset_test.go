// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import "testing"

func TestComposePasswordReset(t *testing.T) {
	composeCase{
		KindPasswordReset, "Reset your Acme password",
		Data{URL: linkURL, TTLMinutes: 30},
		[]string{"Hi,\n", "We received a request to reset the password for your Acme account. The link below is valid for 30 minutes:", "  " + linkURL + "\n", "If you didn't request a reset, you can ignore this email — your password won't change."},
		[]string{"Choose a new password", "valid for 30 minutes"},
	}.check(t, composer(t, nil))
}
