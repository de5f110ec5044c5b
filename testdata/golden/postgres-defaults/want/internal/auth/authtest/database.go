// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"testing"

	"example.com/demo/internal/auth/store/postgres/pgtest"
)

// DatabaseURL chooses the database a test environment runs on: a fresh,
// empty schema of its own on the PostgreSQL server named by
// REGSTACK_TEST_DATABASE_URL, dropped when the test ends. Without that
// variable the test is skipped with a line saying how to set it.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}
