// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package mongotest gives each test a MongoDB database of its own on the
// server named by REGSTACK_TEST_DATABASE_URL, so tests can run in parallel,
// and on a server that holds other data, without seeing each other's
// documents.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvVar names the server the tests run on, as a mongodb:// URL whose user
// may create and drop databases.
const EnvVar = "REGSTACK_TEST_DATABASE_URL"

// cleanupTimeout bounds dropping a test's database after the test.
const cleanupTimeout = 30 * time.Second

// URL returns the server URL with a fresh, random database name in its
// path, and drops that database when the test ends. Without
// REGSTACK_TEST_DATABASE_URL the test is skipped.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skip("set REGSTACK_TEST_DATABASE_URL=mongodb://... to run this test on MongoDB")
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "regstack_test_" + hex.EncodeToString(b[:])
	u, ok := withDatabase(base, name)
	if !ok {
		// The URL is not shown: it may hold a password.
		t.Fatalf("%s must be a mongodb://[user:password@]host[:port][/db][?options] URL", EnvVar)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		client, err := mongo.Connect(options.Client().ApplyURI(u))
		if err != nil {
			t.Errorf("mongotest: connect to drop %s: %v", name, err)
			return
		}
		defer client.Disconnect(ctx)
		if err := client.Database(name).Drop(ctx); err != nil {
			t.Errorf("mongotest: drop database %s: %v", name, err)
		}
	})
	return u
}

// withDatabase replaces the database in a mongodb:// or mongodb+srv:// URL,
// keeping the hosts, credentials and options.
func withDatabase(uri, name string) (string, bool) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || (strings.ToLower(scheme) != "mongodb" && strings.ToLower(scheme) != "mongodb+srv") {
		return "", false
	}
	end := strings.IndexAny(rest, "/?")
	authority, tail := rest, ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	if authority == "" {
		return "", false
	}
	query := ""
	if i := strings.Index(tail, "?"); i >= 0 {
		query = tail[i:]
	}
	return scheme + "://" + authority + "/" + name + query, true
}
