// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import "testing"

// DatabaseURL chooses the database a test environment runs on: a fresh
// SQLite file in t.TempDir(), removed when the test ends. SQLite needs no
// server, so REGSTACK_TEST_DATABASE_URL (which the PostgreSQL and MongoDB
// variants of this file read) is ignored: every test gets its own file and
// the suite always runs.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return "sqlite:///" + t.TempDir() + "/auth.db"
}
