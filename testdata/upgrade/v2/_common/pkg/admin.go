// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// AdminPrefix is where the admin API is served.
func AdminPrefix() string {
	return "/admin"
}
