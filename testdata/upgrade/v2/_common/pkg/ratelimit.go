// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// RequestsPerMinute bounds requests per client.
func RequestsPerMinute() int {
	return 60
}
