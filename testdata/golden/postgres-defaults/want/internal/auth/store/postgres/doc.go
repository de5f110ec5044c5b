// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package postgres implements store.Store on PostgreSQL through
// sqlc-generated queries on pgx/v5 (a pgxpool.Pool) and goose migrations.
//
// The SQL lives in two places: migrations/ holds the schema (goose files,
// append-only) and query.sql the queries. sqlc compiles both into the pgdb
// package; never edit pgdb by hand, edit query.sql and run `go generate` in
// this folder instead.
//
// Any number of processes may share one database: every method is one
// statement or one transaction, migrations run under a PostgreSQL advisory
// lock, and the store keeps no state of its own in process memory.
//
// Times are TIMESTAMPTZ, written in UTC truncated to microseconds, so they
// survive a round trip exactly and a cutoff is never rounded into the
// future.
package postgres
