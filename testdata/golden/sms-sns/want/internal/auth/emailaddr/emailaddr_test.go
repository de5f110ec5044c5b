// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package emailaddr

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeAccepts(t *testing.T) {
	tests := []struct{ in, want string }{
		{"user@example.com", "user@example.com"},
		{"Alice@Example.COM", "Alice@example.com"},
		{"  bob@example.com \t\n", "bob@example.com"},
		{"Name <a@example.com>", "a@example.com"},
		{"First Last <a@example.com>", "a@example.com"},
		{`"Last, First" <a@example.com>`, "a@example.com"},
		{"<a@example.com>", "a@example.com"},
		{"first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"},
		{"o'brien_x-y=z{}|~^`#$%&*/?!@example.org", "o'brien_x-y=z{}|~^`#$%&*/?!@example.org"},
		{"user@xn--bcher-kva.de", "user@bücher.de"},
		{"user@BÜCHER.de", "user@bücher.de"},
		{"用户@例子.广告", "用户@例子.广告"},
		// Decomposed (o + U+0308) becomes composed (U+00F6): NFC.
		{"o\u0308sten@example.com", "\u00f6sten@example.com"},
		{"\u00d6sten@example.com", "\u00d6sten@example.com"},
		{"a@b.co", "a@b.co"},
		{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil {
			t.Errorf("Normalize(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	longDomain := strings.Join([]string{label63, label63, label63, strings.Repeat("b", 59)}, ".") + ".com" // 255 bytes
	tests := []struct{ in, reason string }{
		{"not-an-email", "The email address is not valid. It must have exactly one @-sign."},
		{"", "The email address is not valid. It must have exactly one @-sign."},
		{"two@@example.com", "The email address is not valid. It must have exactly one @-sign."},
		{"a@b@example.com", "The email address is not valid. It must have exactly one @-sign."},
		{"a@b", "The part after the @-sign is not valid. It should have a period."},
		{"user@localhost", "The part after the @-sign is not valid. It should have a period."},
		{"user@example.test", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@foo.local", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@app.localhost", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@x.invalid", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@abc.onion", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@1.0.0.127.in-addr.arpa", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"user@EXAMPLE.TEST", "The part after the @-sign is a special-use or reserved name that cannot be used with email."},
		{"@example.com", "There must be something before the @-sign."},
		{"user@", "There must be something after the @-sign."},
		{".user@example.com", "An email address cannot start with a period."},
		{"user.@example.com", "An email address cannot have a period immediately before the @-sign."},
		{"us..er@example.com", "An email address cannot have two periods in a row."},
		{"us er@example.com", "The email address contains invalid characters before the @-sign: SPACE."},
		{"a<b>@example.com", "The email address contains invalid characters before the @-sign: '<', '>'."},
		{`"quoted"@example.com`, `The email address contains invalid characters before the @-sign: '"'.`},
		{"a(b)@example.com", "The email address contains invalid characters before the @-sign: '(', ')'."},
		{strings.Repeat("a", 65) + "@example.com", "The email address is too long before the @-sign (1 character too many)."},
		{strings.Repeat("a", 66) + "@example.com", "The email address is too long before the @-sign (2 characters too many)."},
		{"user@exa_mple.com", "The part after the @-sign contains invalid characters: '_'."},
		{"user@exa mple.com", "The part after the @-sign contains invalid characters: SPACE."},
		{"user@.example.com", "An email address cannot have a period immediately after the @-sign."},
		{"user@example.com.", "An email address cannot end with a period."},
		{"user@example..com", "An email address cannot have two periods in a row."},
		{"user@-example.com", "An email address cannot have a hyphen immediately after the @-sign."},
		{"user@example.com-", "An email address cannot end with a hyphen."},
		{"user@example-.com", "An email address cannot have a period and a hyphen next to each other."},
		{"user@ab--cd.com", "An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode."},
		{"user@example.123", "The part after the @-sign is not valid. It is not within a valid top-level domain."},
		{"user@[127.0.0.1]", "A bracketed IP address after the @-sign is not allowed here."},
		{"user@" + strings.Repeat("a", 64) + ".com", "After the @-sign, periods cannot be separated by so many characters (1 character too many)."},
		{"user@" + longDomain, "The email address is too long after the @-sign (2 characters too many)."},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", "The email address is too long (1 character too many)."},
		{"user\u200b@example.com", "The email address contains unsafe characters: U+200B."},
		{"user@exam\u00a0ple.com", "The email address contains unsafe characters: U+00A0."},
		{"user\n@example.com", "The email address contains invalid characters before the @-sign: U+000A."},
		{strings.Repeat("x", 2049), "Length must not exceed 2048 characters"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q, want error %q", tt.in, got, tt.reason)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Normalize(%q) error %T is not *Error", tt.in, err)
		}
		if err.Error() != tt.reason {
			t.Errorf("Normalize(%q)\n got error %q\nwant error %q", tt.in, err.Error(), tt.reason)
		}
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	for _, in := range []string{"Alice@Example.COM", "Name <a@EXAMPLE.com>", "user@BÜCHER.de", "x@xn--bcher-kva.de"} {
		once, err := Normalize(in)
		if err != nil {
			t.Fatalf("Normalize(%q): %v", in, err)
		}
		twice, err := Normalize(once)
		if err != nil || twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, %v; want %q", in, twice, err, once)
		}
	}
}
