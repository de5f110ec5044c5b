// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/acme/shop/internal/accounts/store"
	"github.com/acme/shop/internal/accounts/store/storetest"
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

	// The file's path, which is created 0600 before SQLite opens it.
	for _, tt := range []struct{ url, path string }{
		{"sqlite:///./regstack.db", "./regstack.db"},
		{"sqlite:////var/lib/app/auth.db", "/var/lib/app/auth.db"},
		{"sqlite:////tmp/100%.db", "/tmp/100%.db"},
		{"file:auth.db", "auth.db"},
		{"file:/abs/a%20b.db?mode=rwc", "/abs/a b.db"},
		{"file:///abs/auth.db", "/abs/auth.db"},
		{"file://localhost/abs/auth.db", "/abs/auth.db"},
		{"file://elsewhere/abs/auth.db", ""},
		{"file:auth.db?vfs=memdb", ""},
		{"file::memory:", ""},
		{"sqlite:///:memory:", ""},
	} {
		got, err := parseURL(tt.url)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.url, err)
			continue
		}
		if got.path != tt.path {
			t.Errorf("parseURL(%q).path = %q, want %q", tt.url, got.path, tt.path)
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
	if want := embeddedCount(t); versions != want {
		t.Errorf("%s holds %d applied versions, want %d", MigrationTable, versions, want)
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

// A burst of concurrent queries leaves its connections idle in the pool
// for the next burst rather than closing them: a new connection costs its
// pragmas, a schema read and fresh prepared statements (see maxIdleConns).
// Each connection of the first burst is marked with a TEMP table, which
// lives as long as its connection; every connection of the second burst
// must carry the mark.
func TestPoolKeepsConnectionsUnderLoad(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	const inFlight = 8
	burst := func(each func(c *sql.Conn) error) {
		t.Helper()
		var conns []*sql.Conn
		for range inFlight {
			c, err := s.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			if err := each(c); err != nil {
				t.Fatal(err)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	burst(func(c *sql.Conn) error {
		_, err := c.ExecContext(ctx, "CREATE TEMP TABLE pool_mark (x INTEGER)")
		return err
	})
	fresh := 0
	burst(func(c *sql.Conn) error {
		var marked int
		err := c.QueryRowContext(ctx, "SELECT count(*) FROM temp.sqlite_master WHERE name = 'pool_mark'").Scan(&marked)
		if marked == 0 {
			fresh++
		}
		return err
	})
	if fresh > 0 {
		t.Errorf("%d of %d connections of the second burst were opened afresh; want all kept from the first", fresh, inFlight)
	}
}

// checkPrivate requires each file to exist with mode 0600.
func checkPrivate(t *testing.T, files ...string) {
	t.Helper()
	for _, name := range files {
		info, err := os.Stat(name)
		if err != nil {
			t.Errorf("stat %s: %v", filepath.Base(name), err)
			continue
		}
		if got := info.Mode().Perm(); got != privateMode {
			t.Errorf("%s has mode %v, want %v", filepath.Base(name), got, privateMode)
		}
	}
}

// The database holds password hashes: its file, and the -wal and -shm
// files SQLite creates beside it, must be readable by the owner only.
func TestDatabaseFilesPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	path := filepath.Join(t.TempDir(), "auth.db")
	s, err := Open(t.Context(), "sqlite:///"+path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	u := &store.User{Email: "private@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	// While the store is open in WAL mode all three files exist.
	checkPrivate(t, path, path+"-wal", path+"-shm")

	// A file: URI names the file too.
	uriPath := filepath.Join(t.TempDir(), "uri 100%.db")
	s2, err := Open(t.Context(), "file:"+escapeURIPath(uriPath)+"?mode=rwc")
	if err != nil {
		t.Fatalf("Open(file: URI): %v", err)
	}
	defer s2.Close()
	checkPrivate(t, uriPath, uriPath+"-wal", uriPath+"-shm")
}

// An existing database others can read is restricted, with a warning.
func TestDatabaseFileTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	path := filepath.Join(t.TempDir(), "auth.db")
	s, err := Open(t.Context(), "sqlite:///"+path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	s, err = Open(t.Context(), "sqlite:///"+path, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path, path+"-wal", path+"-shm")
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "-rw-r--r--") {
		t.Errorf("no warning naming the old mode; logs:\n%s", logs.String())
	}
}

// mode=ro opens an existing database only: it must not create one.
func TestOpenReadOnlyCreatesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	if _, err := OpenMigrator(t.Context(), "file:"+path+"?mode=ro"); err == nil {
		t.Error("OpenMigrator(mode=ro) of a missing file succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("mode=ro created the file: %v", err)
	}
}
