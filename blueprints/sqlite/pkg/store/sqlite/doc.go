// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package sqlite implements store.Store on SQLite through sqlc-generated
// queries on modernc.org/sqlite (pure Go, no cgo) and goose migrations.
package sqlite
