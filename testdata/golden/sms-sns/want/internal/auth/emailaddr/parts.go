// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package emailaddr

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// atext is RFC 5322's atom character set; atextIntl adds every non-ASCII
// character (RFC 6531 §3.3), as email-validator does.
const atext = "a-zA-Z0-9_!#$%&'*+\\-/=?^`{|}~"

var (
	dotAtom     = regexp.MustCompile(`^[` + atext + `]+(?:\.[` + atext + `]+)*$`)
	dotAtomIntl = regexp.MustCompile(`^[` + atext + `\x{80}-\x{10FFFF}]+(?:\.[` + atext + `\x{80}-\x{10FFFF}]+)*$`)
	atextIntl   = regexp.MustCompile(`^[` + atext + `.\x{80}-\x{10FFFF}]$`)
	hostChar    = regexp.MustCompile(`^[a-zA-Z0-9\-.\x{80}-\x{10FFFF}]$`)
	hostname    = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
	rldh        = regexp.MustCompile(`^(?i:[^x][^n]|x[^n]|[^x]n)--`)
)

// specialUse are the special-use and reserved names (RFC 6761 and friends)
// that email-validator refuses, together with everything under them.
var specialUse = [...]string{"arpa", "invalid", "local", "localhost", "onion", "test"}

// validateLocal checks the part before the @-sign and reports whether it is
// plain ASCII.
func validateLocal(local string) (ascii bool, err error) {
	if n := utf8.RuneCountInString(local); n > maxLocalLength {
		return false, fail("The email address is too long before the @-sign %s.", tooMany(n, maxLocalLength))
	}
	if dotAtom.MatchString(local) {
		return true, nil
	}
	if dotAtomIntl.MatchString(local) {
		return false, checkUnsafe(local)
	}
	if bad := badChars(local, atextIntl); bad != "" {
		return false, fail("The email address contains invalid characters before the @-sign: %s.", bad)
	}
	if err := checkDots(local, "An email address cannot start with a %s.", "An email address cannot have a %s immediately before the @-sign.", false); err != nil {
		return false, err
	}
	return false, fail("The email address contains invalid characters before the @-sign.")
}

// validateDomain checks the part after the @-sign and returns its ASCII
// (punycode) and Unicode forms, both lower-case.
func validateDomain(domain string) (ascii, unicodeForm string, err error) {
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		return "", "", fail("A bracketed IP address after the @-sign is not allowed here.")
	}
	if bad := badChars(domain, hostChar); bad != "" {
		return "", "", fail("The part after the @-sign contains invalid characters: %s.", bad)
	}
	if err := checkUnsafe(domain); err != nil {
		return "", "", err
	}
	// UTS #46 mapping: case folding and compatibility normalisation, e.g.
	// "Example.COM" → "example.com", full-width dots → ".".
	mapped, err := idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false)).ToUnicode(domain)
	if err != nil && mapped == "" {
		return "", "", fail("The part after the @-sign contains invalid characters (%v).", err)
	}
	if err := checkDots(mapped, "An email address cannot have a %s immediately after the @-sign.", "An email address cannot end with a %s.", true); err != nil {
		return "", "", err
	}
	for _, label := range strings.Split(mapped, ".") {
		if rldh.MatchString(label) {
			return "", "", fail("An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.")
		}
	}
	ascii = mapped
	if !hostname.MatchString(mapped) {
		ascii, err = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false)).ToASCII(mapped)
		if err != nil {
			return "", "", fail("The part after the @-sign is not valid IDNA (%v).", err)
		}
		if !hostname.MatchString(ascii) {
			return "", "", fail("The email address contains invalid characters after the @-sign after IDNA encoding.")
		}
	}
	if len(ascii) > maxDomainBytes {
		return "", "", fail("The email address is too long after the @-sign %s.", tooMany(len(ascii), maxDomainBytes))
	}
	for _, label := range strings.Split(ascii, ".") {
		if len(label) > maxLabelBytes {
			return "", "", fail("After the @-sign, periods cannot be separated by so many characters %s.", tooMany(len(label), maxLabelBytes))
		}
	}
	if !strings.Contains(ascii, ".") {
		return "", "", fail("The part after the @-sign is not valid. It should have a period.")
	}
	if last := ascii[len(ascii)-1]; !('a' <= last && last <= 'z' || 'A' <= last && last <= 'Z') {
		return "", "", fail("The part after the @-sign is not valid. It is not within a valid top-level domain.")
	}
	for _, name := range specialUse {
		if ascii == name || strings.HasSuffix(ascii, "."+name) {
			return "", "", fail("The part after the @-sign is a special-use or reserved name that cannot be used with email.")
		}
	}
	unicodeForm, err = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false)).ToUnicode(ascii)
	if err != nil {
		return "", "", fail("The part after the @-sign is not valid IDNA (%v).", err)
	}
	return ascii, unicodeForm, nil
}

// checkDots applies the dot-atom rules (RFC 5322 §3.2.3) and, for host
// names, the hyphen rules (RFC 952).
func checkDots(s, startMsg, endMsg string, isHostname bool) error {
	switch {
	case strings.HasSuffix(s, "."):
		return fail(endMsg, "period")
	case strings.HasPrefix(s, "."):
		return fail(startMsg, "period")
	case strings.Contains(s, ".."):
		return fail("An email address cannot have two periods in a row.")
	}
	if isHostname {
		switch {
		case strings.HasSuffix(s, "-"):
			return fail(endMsg, "hyphen")
		case strings.HasPrefix(s, "-"):
			return fail(startMsg, "hyphen")
		case strings.Contains(s, ".-") || strings.Contains(s, "-."):
			return fail("An email address cannot have a period and a hyphen next to each other.")
		}
	}
	return nil
}

// checkUnsafe rejects characters that are invisible, control or formatting
// characters, or that would combine with text outside the address.
func checkUnsafe(s string) error {
	var bad []rune
	for i, r := range []rune(s) {
		switch {
		case unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S):
		case unicode.Is(unicode.M, r):
			if i == 0 {
				bad = append(bad, r)
			}
		default: // spaces, separators, controls, format, private use, unassigned
			bad = append(bad, r)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fail("The email address contains unsafe characters: %s.", displayAll(bad))
}

// badChars lists, sorted and deduplicated, the characters of s that allowed
// does not match.
func badChars(s string, allowed *regexp.Regexp) string {
	var bad []rune
	for _, r := range s {
		if !allowed.MatchString(string(r)) {
			bad = append(bad, r)
		}
	}
	return displayAll(bad)
}

func displayAll(runes []rune) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range runes {
		d := display(r)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// display shows a character the way email-validator does: quoted when it is
// visible, by name or code point when it is not.
func display(r rune) string {
	switch {
	case r == '\\':
		return `"\"`
	case r == '\'':
		return `"'"`
	case unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S):
		return "'" + string(r) + "'"
	case r == ' ':
		return "SPACE"
	case r <= 0xFFFF:
		return fmt.Sprintf("U+%04X", r)
	default:
		return fmt.Sprintf("U+%08X", r)
	}
}
