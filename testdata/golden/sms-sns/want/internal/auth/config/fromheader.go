// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"net/mail"
	"strings"
)

// FromHeader is the From header of outgoing mail: "FromName <from_address>",
// with FromName defaulting to AppName. A name with characters that need it
// is quoted or RFC 2047 encoded, so the result always parses as an address.
func (c Config) FromHeader() string {
	name := c.Email.FromName
	if name == "" {
		name = c.AppName
	}
	if name == "" {
		return c.Email.FromAddress
	}
	if isPhrase(name) {
		return name + " <" + c.Email.FromAddress + ">"
	}
	return (&mail.Address{Name: name, Address: c.Email.FromAddress}).String()
}

// isPhrase reports whether name can stand unquoted before <address>:
// RFC 5322 atoms separated by single spaces.
func isPhrase(name string) bool {
	for _, word := range strings.Split(name, " ") {
		if word == "" {
			return false
		}
		for _, r := range word {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

func isAtext(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}
