// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"testing"

	"example.com/demo/internal/auth/store"
)

// An email prefix PostgreSQL cannot store (a NUL byte, invalid UTF-8)
// lists nobody; it must not turn into a server error.
func TestListUsersUnstorablePrefix(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	for _, key := range []string{"a\x00b", "\xff\xfe"} {
		if users, total, err := s.ListUsers(ctx, store.ListUsersParams{EmailPrefix: key, Limit: 10}); err != nil || len(users) != 0 || total != 0 {
			t.Errorf("ListUsers(prefix %q) = %d users, total %d, %v; want none", key, len(users), total, err)
		}
	}
}
