// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package emailaddr

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzNormalize feeds arbitrary text to Normalize. The seeds run with
// `go test`; `go test -fuzz FuzzNormalize` (make fuzz) searches further.
//
// Properties: it never panics; a refusal is an *Error with a reason; an
// accepted address is valid UTF-8 in NFC with exactly one @-sign, nothing
// before or after it left empty, within the length limits, without
// surrounding whitespace or upper-case ASCII in the domain; and normalising
// it again gives it back unchanged (normalising twice is normalising once,
// so the stored form re-validates).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"alice@example.com",
		"Alice@Example.COM",
		"  bob@example.org  ",
		"Name <a@EXAMPLE.com>",
		`"Quoted Name" <q@example.com>`,
		"user@BÜCHER.de",
		"x@xn--bcher-kva.de",
		"u\u0308ser@example.com", // decomposed ü
		"ü@example.com",
		"a.b+tag@sub.example.co.uk",
		"no-at-sign",
		"two@@example.com",
		"a@b@c.com",
		"@example.com",
		"user@",
		".dot@example.com",
		"dot.@example.com",
		"do..t@example.com",
		"user@-host.com",
		"user@host-.com",
		"user@exa_mple.com",
		"user@localhost",
		"user@[127.0.0.1]",
		"user@example..com",
		"user@.example.com",
		"user@example.com.",
		"us er@example.com",
		"user@exam ple.com",
		"\x00@example.com",
		"user\u202e@example.com",
		"user@ex\u200bample.com",
		"\xff\xfe@example.com",
		strings.Repeat("a", 64) + "@example.com",
		strings.Repeat("a", 65) + "@example.com",
		"a@" + strings.Repeat("b", 63) + ".com",
		"a@" + strings.Repeat("b", 64) + ".com",
		"a@" + strings.Repeat(strings.Repeat("c", 60)+".", 5) + "com",
		strings.Repeat("ü", 60) + "@" + strings.Repeat("ä", 60) + ".de",
		strings.Repeat("x", 2049),
		"<a@b.c>",
		"Ann <>",
		"Ann <a@b.c> <d@e.f>",
		"a@b.c\n",
		"a@xn--.com",
		"a@xn--zz.com",
		"a@ＥＸＡＭＰＬＥ.com",
		"ｕｓｅｒ@example.com",
		"a@ß.de",
		"a@ﬀ.com",
		"a@İ.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Normalize(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("Normalize(%q): error %v (%T) is not an *Error with a reason", in, err, err)
			}
			if out != "" {
				t.Fatalf("Normalize(%q) = %q together with error %v", in, out, err)
			}
			return
		}
		switch {
		case !utf8.ValidString(out):
			t.Fatalf("Normalize(%q) = %q: not valid UTF-8", in, out)
		case !norm.NFC.IsNormalString(out):
			t.Fatalf("Normalize(%q) = %q: not in NFC", in, out)
		case strings.Count(out, "@") != 1:
			t.Fatalf("Normalize(%q) = %q: not exactly one @-sign", in, out)
		case strings.HasPrefix(out, "@") || strings.HasSuffix(out, "@"):
			t.Fatalf("Normalize(%q) = %q: empty local part or domain", in, out)
		case strings.TrimSpace(out) != out:
			t.Fatalf("Normalize(%q) = %q: surrounding whitespace kept", in, out)
		case len(out) > maxEmailLength:
			t.Fatalf("Normalize(%q) = %q: %d bytes, over %d", in, out, len(out), maxEmailLength)
		}
		local, domain, _ := strings.Cut(out, "@")
		if utf8.RuneCountInString(local) > maxLocalLength {
			t.Fatalf("Normalize(%q) = %q: local part over %d characters", in, out, maxLocalLength)
		}
		if strings.ContainsAny(domain, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Fatalf("Normalize(%q) = %q: domain not lower-cased", in, out)
		}
		again, err := Normalize(out)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not re-validate: %v", in, out, err)
		}
		if again != out {
			t.Fatalf("Normalize is not idempotent:\n in    %q\n once  %q\n twice %q", in, out, again)
		}
	})
}
