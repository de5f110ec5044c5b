// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// LegacyHash names the hash of version 1.
func LegacyHash() string {
	return "sha1"
}
