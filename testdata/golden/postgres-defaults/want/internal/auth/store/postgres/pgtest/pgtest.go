// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package pgtest gives each test an empty PostgreSQL schema of its own on
// the server named by REGSTACK_TEST_DATABASE_URL, so tests can run in
// parallel, and against a database that holds other data, without seeing
// each other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the server the tests run on, as a postgres:// URL whose
// role may create schemas in its database.
const EnvVar = "REGSTACK_TEST_DATABASE_URL"

// cleanupTimeout bounds creating and dropping a test's schema.
const cleanupTimeout = 30 * time.Second

// testPoolMaxConns caps each test's connection pool unless the URL sets
// pool_max_conns itself. pgx's default grows with the CPU count, and many
// parallel tests on a many-core machine would otherwise exceed the
// server's max_connections (100 by default).
const testPoolMaxConns = "4"

// URL creates a schema with a random name, drops it (with everything in
// it) when the test ends, and returns the server URL with search_path set
// to that schema, so whatever connects through it creates and finds its
// tables there. Without REGSTACK_TEST_DATABASE_URL the test is skipped.
//
// The variable may name any database the role can create schemas in; the
// tests leave nothing behind.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skip("set REGSTACK_TEST_DATABASE_URL=postgres://... to run this test on PostgreSQL")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Neither the URL nor url.Parse's message (which quotes it) is
		// shown: it may hold a password.
		t.Fatalf("%s must be a postgres://user:password@host:port/dbname URL", EnvVar)
	}

	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "regstack_test_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{schema}.Sanitize()

	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", EnvVar, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, base, ident) })

	q := u.Query()
	q.Set("search_path", schema)
	if !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", testPoolMaxConns)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// dropSchema runs after the test's own cleanups (cleanups run last-in,
// first-out), so the store using the schema is closed by then.
func dropSchema(t testing.TB, base, ident string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("pgtest: dropping schema %s: %v", ident, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
		t.Errorf("pgtest: dropping schema %s: %v", ident, err)
	}
}
