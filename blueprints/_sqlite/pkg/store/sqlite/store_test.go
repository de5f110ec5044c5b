// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/storetest"
)

// openTemp opens a fresh database file in the test's temp folder.
func openTemp(t *testing.T) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "auth.db")
	s, err := Open(t.Context(), "sqlite:///"+path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// An in-memory database must keep its schema and rows across calls, which
// only holds if every call uses the same connection.
func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(t.Context(), "sqlite:///:memory:")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url    string
		uri    string
		memory bool
	}{
		{"sqlite:///./regstack.db", "file:./regstack.db", false},
		{"sqlite:///regstack.db", "file:regstack.db", false},
		{"sqlite:////var/lib/app/auth.db", "file:/var/lib/app/auth.db", false},
		{"sqlite+aiosqlite:///./regstack.db", "file:./regstack.db", false},
		{"sqlite+aiosqlite:////abs/auth.db", "file:/abs/auth.db", false},
		{"sqlite+pysqlite:///x.db", "file:x.db", false},
		{"sqlite:////tmp/100%.db", "file:/tmp/100%25.db", false},
		{"sqlite:///:memory:", "file::memory:", true},
		{"sqlite://", "file::memory:", true},
		{"file:auth.db", "file:auth.db", false},
		{"file:/abs/auth.db?mode=rwc", "file:/abs/auth.db?mode=rwc", false},
		{"file::memory:", "file::memory:", true},
		{"file:shared?mode=memory&cache=shared", "file:shared?mode=memory&cache=shared", true},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.url)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.url, err)
			continue
		}
		if got.uri != tt.uri || got.memory != tt.memory {
			t.Errorf("parseURL(%q) = %+v, want {uri:%s memory:%v}", tt.url, got, tt.uri, tt.memory)
		}
	}

	for _, bad := range []string{
		"",
		"regstack.db",
		"./regstack.db",
		"sqlite:",
		"sqlite:///",
		"sqlite://host/x.db",
		"sqlite:///x.db?mode=ro",
		"postgres://user:secret@db/app",
		"mongodb://localhost/app",
		"file:",
		"file:x.db?bad=%zz",
	} {
		_, err := parseURL(bad)
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("parseURL(%q): err = %v, want ErrInvalidURL", bad, err)
		}
		if err != nil && bad != "" && strings.Contains(err.Error(), "secret") {
			t.Errorf("parseURL(%q): error %q repeats the password", bad, err)
		}
	}
}

// A relative sqlite:/// URL resolves against the working directory, the
// way the Python reference's default sqlite:///./regstack.db does.
func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open(t.Context(), "sqlite+aiosqlite:///./nested.db")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat("nested.db"); err != nil {
		t.Errorf("database file not created in the working directory: %v", err)
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	_, err := Open(t.Context(), "sqlite:///"+filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
}

// Opening an existing database runs the migrations again; that must be a
// no-op that keeps the data, and goose must keep its history in its own
// table, clear of a host's goose_db_version.
func TestMigrationsApplyTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	url := "sqlite:///" + path
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	u := &store.User{Email: "kept@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(t.Context(), url)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s.Close()
	if _, err := s.UserByID(t.Context(), u.ID); err != nil {
		t.Errorf("user after reopening: %v", err)
	}
	if err := migrate(t.Context(), s.db); err != nil {
		t.Errorf("migrate on an up-to-date database: %v", err)
	}

	var versions int
	if err := s.db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+MigrationTable+" WHERE version_id > 0").Scan(&versions); err != nil {
		t.Fatalf("reading %s: %v", MigrationTable, err)
	}
	if versions != 1 {
		t.Errorf("%s holds %d applied versions, want 1", MigrationTable, versions)
	}
	var hostTable int
	if err := s.db.QueryRowContext(t.Context(), "SELECT count(*) FROM sqlite_master WHERE name = 'goose_db_version'").Scan(&hostTable); err != nil {
		t.Fatal(err)
	}
	if hostTable != 0 {
		t.Error("migrations created goose's default goose_db_version table")
	}
}

// Connection settings the atomicity guarantees depend on.
func TestConnectionSettings(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	var journal string
	var fk, busy int
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if journal != "wal" || fk != 1 || busy != busyTimeoutMS {
		t.Errorf("journal_mode=%s foreign_keys=%d busy_timeout=%d; want wal, 1, %d", journal, fk, busy, busyTimeoutMS)
	}
}
