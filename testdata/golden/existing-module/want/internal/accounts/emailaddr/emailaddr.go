// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package emailaddr validates and normalises email addresses the way the
// Python regstack does (pydantic's EmailStr on top of email-validator 2.x
// with deliverability checks off), so both accept the same addresses, store
// the same normalised string, and explain a rejection with the same words.
//
// Normalisation: the address is put in Unicode NFC (so one address typed in
// composed or decomposed form is one string, as email-validator also does),
// surrounding whitespace and a display name ("Ann <a@b.c>") are dropped, the
// domain is lower-cased and IDNA-normalised (returned in its Unicode form, as
// email-validator does), and the local part keeps its case. Comparing two
// addresses is store.EmailKey's job.
package emailaddr

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits (RFC 5321 §4.5.3.1, and pydantic's own cap on the input).
const (
	maxInputLength = 2048
	maxLocalLength = 64
	maxEmailLength = 254
	maxDomainBytes = 253
	maxLabelBytes  = 63
)

// Error is a rejected address. Its message is email-validator's wording, so
// it can follow pydantic's "value is not a valid email address: " prefix.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

func fail(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}

// prettyEmail is pydantic's "Display Name <address>" pattern.
var prettyEmail = regexp.MustCompile(`^\s*(?:((?:[\pL\pN_!#$%&'*+\-/=?^` + "`" + `{|}~]+\s+)*[\pL\pN_!#$%&'*+\-/=?^` + "`" + `{|}~]+)|"((?:[^"]|\")+)")?\s*<(.+)>\s*$`)

// Normalize validates s and returns the normalised address, or an *Error.
func Normalize(s string) (string, error) {
	if utf8.RuneCountInString(s) > maxInputLength {
		return "", fail("Length must not exceed %d characters", maxInputLength)
	}
	// Text decoded from JSON is always valid UTF-8, but a Go caller's string
	// need not be (a command-line argument, an environment variable): the
	// character classes below would read a stray byte as U+FFFD and let it
	// through into the database.
	if !utf8.ValidString(s) {
		return "", fail("The email address is not valid UTF-8.")
	}
	s = norm.NFC.String(s)
	if m := prettyEmail.FindStringSubmatch(s); m != nil {
		s = m[3]
	}
	s = strings.TrimSpace(s)

	if strings.Count(s, "@") != 1 {
		return "", fail("The email address is not valid. It must have exactly one @-sign.")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" {
		return "", fail("There must be something before the @-sign.")
	}
	asciiLocal, err := validateLocal(local)
	if err != nil {
		return "", err
	}
	if domain == "" {
		return "", fail("There must be something after the @-sign.")
	}
	asciiDomain, unicodeDomain, err := validateDomain(domain)
	if err != nil {
		return "", err
	}

	normalized := local + "@" + unicodeDomain
	if asciiLocal {
		ascii := local + "@" + asciiDomain
		if n := len(ascii); n > maxEmailLength {
			switch {
			case ascii == normalized:
				return "", fail("The email address is too long %s.", tooMany(n, maxEmailLength))
			case utf8.RuneCountInString(normalized) > maxEmailLength:
				return "", fail("The email address is too long %s.", tooMany(utf8.RuneCountInString(normalized), maxEmailLength))
			default:
				return "", fail("The email address is too long (when converted to IDNA ASCII).")
			}
		}
	}
	if len(normalized) > maxEmailLength {
		if n := utf8.RuneCountInString(normalized); n > maxEmailLength {
			return "", fail("The email address is too long %s.", tooMany(n, maxEmailLength))
		}
		return "", fail("The email address is too long (when encoded in bytes).")
	}
	return normalized, nil
}

func tooMany(n, limit int) string {
	diff := n - limit
	if diff == 1 {
		return "(1 character too many)"
	}
	return fmt.Sprintf("(%d characters too many)", diff)
}
