// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// ResetTokenTTLMinutes is how long a password reset link works.
func ResetTokenTTLMinutes() int {
	return 60
}
