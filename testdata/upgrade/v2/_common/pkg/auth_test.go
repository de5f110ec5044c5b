// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "testing"

func TestNormalize(t *testing.T) {
	if got := Normalize(" A@B.example\n"); got != "a@b.example" {
		t.Errorf("Normalize = %q", got)
	}
}
