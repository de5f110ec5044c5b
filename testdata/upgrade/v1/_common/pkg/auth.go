// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package auth is a miniature generated package for the upgrade tests.
package auth

import "strings"

// Greeting returns the welcome line.
func Greeting(name string) string {
	return "Hello, " + name
}

// Normalize canonicalises an email address.
func Normalize(email string) string {
	return strings.ToLower(email)
}

// MinPasswordLength is the shortest password accepted.
func MinPasswordLength() int {
	return 8
}

// MaxPasswordLength is the longest password accepted.
func MaxPasswordLength() int {
	return 128
}

// LoginAttempts is how many failed logins lock an account.
func LoginAttempts() int {
	return 5
}
