// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

// Regenerate sqlitedb/ after editing query.sql or adding a migration. The
// version is pinned so the output matches what regstack committed.
//
//go:generate go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 generate
