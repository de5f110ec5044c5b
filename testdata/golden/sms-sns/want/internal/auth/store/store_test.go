// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package store

import "testing"

func TestEmailKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Alice@Example.COM", "alice@example.com"},
		{"\u00d6sten@x.org", "\u00f6sten@x.org"},  // composed Ö
		{"O\u0308sten@x.org", "\u00f6sten@x.org"}, // O + combining diaeresis
		{"o\u0308STEN@X.ORG", "\u00f6sten@x.org"},
		{"J\u0303ose@x.org", "j\u0303ose@x.org"}, // no composed form: stays two code points
		// Simple case mapping only: no accent stripping, no ß → ss.
		{"Stra\u00dfe@x.org", "stra\u00dfe@x.org"},
		{"\u00d8@x.org", "\u00f8@x.org"},
		{"", ""},
	} {
		if got := EmailKey(c.in); got != c.want {
			t.Errorf("EmailKey(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}
