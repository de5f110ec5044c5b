// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package sqlite implements store.Store on SQLite through sqlc-generated
// queries on modernc.org/sqlite (pure Go, no cgo) and goose migrations.
//
// The SQL lives in two places: migrations/ holds the schema (goose files,
// append-only) and query.sql the queries. sqlc compiles both into the
// sqlitedb package; never edit sqlitedb by hand, edit query.sql and run
// `go generate` in this folder instead.
//
// Every time is stored as TEXT in the fixed-width UTC form
// 2006-01-02T15:04:05.000000Z, so SQL string comparison is time order and
// the microseconds survive a round trip exactly.
//
// Addresses are compared through email_key columns holding
// store.EmailKey of the address, computed in Go: SQLite's lower() folds
// ASCII only, so an index on lower(email) told "Östen" from "östen".
//
// The database file is created readable by its owner only (see
// source.makePrivate); SQLite gives its -wal and -shm files the same mode.
package sqlite
