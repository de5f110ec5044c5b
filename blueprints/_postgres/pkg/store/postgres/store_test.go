// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"errors"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/postgres/pgtest"
	"regstack.example/app/internal/auth/store/storetest"
)

// openFresh opens a store on a fresh schema of the test server; without
// REGSTACK_TEST_DATABASE_URL the test is skipped.
func openFresh(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url                    string
		host, user, pw, dbname string
		port                   uint16
		params                 map[string]string
	}{
		{url: "postgres://app:s3cret@db.internal:5433/auth?sslmode=disable",
			host: "db.internal", port: 5433, user: "app", pw: "s3cret", dbname: "auth"},
		{url: "postgresql://app@127.0.0.1/auth?sslmode=disable",
			host: "127.0.0.1", port: 5432, user: "app", dbname: "auth"},
		{url: "postgresql+asyncpg://app:pw@localhost:5432/regstack",
			host: "localhost", port: 5432, user: "app", pw: "pw", dbname: "regstack"},
		{url: "postgresql+psycopg://app:pw@localhost/regstack?sslmode=disable",
			host: "localhost", port: 5432, user: "app", pw: "pw", dbname: "regstack"},
		// A password with URL-special characters, percent-encoded.
		{url: "postgres://app:p%40ss%2Fw0rd@db/auth?sslmode=disable",
			host: "db", port: 5432, user: "app", pw: "p@ss/w0rd", dbname: "auth"},
		// Unknown parameters become session settings: search_path picks the
		// schema.
		{url: "postgres://app@db/auth?sslmode=disable&search_path=tenant_a",
			host: "db", port: 5432, user: "app", dbname: "auth", params: map[string]string{"search_path": "tenant_a"}},
	}
	for _, tt := range tests {
		cfg, err := parseURL(tt.url)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.url, err)
			continue
		}
		c := cfg.ConnConfig
		if c.Host != tt.host || c.Port != tt.port || c.User != tt.user || c.Password != tt.pw || c.Database != tt.dbname {
			t.Errorf("parseURL(%q) = host %q port %d user %q password %q database %q; want %q %d %q %q %q",
				tt.url, c.Host, c.Port, c.User, c.Password, c.Database, tt.host, tt.port, tt.user, tt.pw, tt.dbname)
		}
		for k, v := range tt.params {
			if got := c.RuntimeParams[k]; got != v {
				t.Errorf("parseURL(%q): runtime param %s = %q, want %q", tt.url, k, got, v)
			}
		}
		if c.ConnectTimeout != connectTimeout {
			t.Errorf("parseURL(%q): connect timeout %v, want the default %v", tt.url, c.ConnectTimeout, connectTimeout)
		}
	}

	// asyncpg's ssl= becomes libpq's sslmode= instead of an unknown server
	// setting; sslmode=disable leaves no TLS config.
	cfg, err := parseURL("postgresql+asyncpg://app@db/auth?ssl=disable")
	if err != nil {
		t.Fatalf("parseURL(ssl=disable): %v", err)
	}
	if cfg.ConnConfig.TLSConfig != nil || cfg.ConnConfig.RuntimeParams["ssl"] != "" {
		t.Errorf("asyncpg ssl=disable: TLS %v, runtime ssl %q; want no TLS and no ssl setting",
			cfg.ConnConfig.TLSConfig, cfg.ConnConfig.RuntimeParams["ssl"])
	}
	cfg, err = parseURL("postgresql+asyncpg://app@db/auth?ssl=require")
	if err != nil {
		t.Fatalf("parseURL(ssl=require): %v", err)
	}
	if cfg.ConnConfig.TLSConfig == nil || len(cfg.ConnConfig.Fallbacks) != 0 {
		t.Errorf("asyncpg ssl=require: want TLS without a plaintext fallback")
	}
	cfg, err = parseURL("postgres://app@db/auth?connect_timeout=3")
	if err != nil {
		t.Fatalf("parseURL(connect_timeout): %v", err)
	}
	if cfg.ConnConfig.ConnectTimeout != 3*time.Second {
		t.Errorf("connect_timeout=3: got %v", cfg.ConnConfig.ConnectTimeout)
	}

	for _, bad := range []string{
		"",
		"db.internal:5432",
		"host=db user=app password=secret",
		"sqlite:///./regstack.db",
		"mongodb://app:secret@localhost/app",
		"mysql://app:secret@localhost/app",
		"postgresql+asyncpg:/app:secret@db/auth",
		"postgres://app:secret@db:notaport/auth",
		"postgres://app:secret@db/auth?sslmode=sometimes",
		"postgres://app:secret@[::1/auth",
		"postgres://app:secret@db/auth?pool_max_conns=lots",
		"postgres://app:sec%zzret@db/auth",
	} {
		_, err := parseURL(bad)
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("parseURL(%q): err = %v, want ErrInvalidURL", bad, err)
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "zzret")) {
			t.Errorf("parseURL(%q): error %q repeats the password", bad, err)
		}
	}
}

// A server that refuses the connection is an error that names the server
// but never the password.
func TestOpenUnreachable(t *testing.T) {
	ctx := t.Context()
	// Port 1 on loopback: nothing listens there, so the refusal is
	// immediate.
	_, err := Open(ctx, "postgres://app:hunter2@127.0.0.1:1/auth?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q repeats the password", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("error %q does not say which server failed", err)
	}
	if errors.Is(err, ErrInvalidURL) {
		t.Errorf("a connection failure is reported as ErrInvalidURL: %v", err)
	}
	// The account system starts anyway and retries.
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("err = %v, want it to wrap store.ErrUnavailable", err)
	}
}

// A server that answers and refuses for good is not "unavailable":
// retrying cannot create the database.
func TestOpenMissingDatabase(t *testing.T) {
	u, err := neturl.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/regstack_no_such_database"
	_, err = Open(t.Context(), u.String())
	if err == nil {
		t.Fatal("Open of a database that does not exist succeeded")
	}
	if errors.Is(err, store.ErrUnavailable) {
		t.Errorf("err = %v; a missing database must not be reported as unavailable", err)
	}
	if !strings.Contains(err.Error(), "regstack_no_such_database") {
		t.Errorf("error %q does not name the database", err)
	}
}

func TestRedact(t *testing.T) {
	base := errors.New("cannot parse postgres://u:p%40ss@h with p@ss")
	err := redact(base, "p@ss")
	if strings.Contains(err.Error(), "p@ss") || strings.Contains(err.Error(), "p%40ss") {
		t.Errorf("redact left the password in %q", err)
	}
	if !errors.Is(err, base) {
		t.Error("redact broke the error chain")
	}
	if redact(base, "") != base {
		t.Error("redact without a password changed the error")
	}
}

// Opening an existing database runs the migrations again; that must be a
// no-op that keeps the data, and goose must keep its history in its own
// table, clear of a host's goose_db_version.
func TestMigrationsApplyTwice(t *testing.T) {
	url := pgtest.URL(t)
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	u := &store.User{Email: "kept@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	s.Close()

	s, err = Open(t.Context(), url)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s.Close()
	if _, err := s.UserByID(t.Context(), u.ID); err != nil {
		t.Errorf("user after reopening: %v", err)
	}
	if err := migrate(t.Context(), s.pool); err != nil {
		t.Errorf("migrate on an up-to-date database: %v", err)
	}
	checkVersions(t, s, 1)

	var hostTable bool
	if err := s.pool.QueryRow(t.Context(),
		"SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'goose_db_version')",
	).Scan(&hostTable); err != nil {
		t.Fatal(err)
	}
	if hostTable {
		t.Error("migrations created goose's default goose_db_version table")
	}
}

// checkVersions requires the goose table to record exactly want applied
// versions.
func checkVersions(t *testing.T, s *Store, want int) {
	t.Helper()
	var versions int
	if err := s.pool.QueryRow(t.Context(),
		"SELECT count(*) FROM "+MigrationTable+" WHERE version_id > 0").Scan(&versions); err != nil {
		t.Fatalf("reading %s: %v", MigrationTable, err)
	}
	if versions != want {
		t.Errorf("%s holds %d applied versions, want %d", MigrationTable, versions, want)
	}
}

// Replicas starting at once on a fresh database: without the session lock
// both would run 00001_init.sql and one would fail creating a table the
// other had just created.
func TestConcurrentMigrations(t *testing.T) {
	url := pgtest.URL(t)
	const replicas = 3
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(t.Context(), url)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	checkVersions(t, stores[0], 1)
	// Every replica sees the one schema.
	u := &store.User{Email: "shared@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := stores[0].CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for i, s := range stores {
		if _, err := s.UserByEmail(t.Context(), "Shared@Example.com"); err != nil {
			t.Errorf("replica %d: UserByEmail: %v", i, err)
		}
	}
}

// The migrator applies nothing when opened, and walks the history up and
// down on request.
func TestMigrator(t *testing.T) {
	ctx := t.Context()
	url := pgtest.URL(t)
	m, err := OpenMigrator(ctx, url)
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	defer m.Close()

	st, err := m.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	want := store.Migration{Version: 1, Name: "00001_init.sql"}
	if len(st) != 1 || st[0] != want {
		t.Fatalf("Status on a fresh database = %+v, want [%+v]", st, want)
	}
	var users bool
	if err := m.pool.QueryRow(ctx, "SELECT to_regclass('users') IS NOT NULL").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users {
		t.Fatal("opening the migrator created the users table")
	}

	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	want.Applied = true
	if len(applied) != 1 || applied[0] != want {
		t.Errorf("Up = %+v, want [%+v]", applied, want)
	}
	if again, err := m.Up(ctx); err != nil || len(again) != 0 {
		t.Errorf("second Up = %+v, %v; want nothing applied", again, err)
	}
	if st, err := m.Status(ctx); err != nil || len(st) != 1 || !st[0].Applied {
		t.Errorf("Status after Up = %+v, %v; want 00001 applied", st, err)
	}

	down, err := m.Down(ctx)
	if err != nil {
		t.Fatalf("Down: %v", err)
	}
	if down.Version != 1 || down.Applied {
		t.Errorf("Down = %+v, want version 1, no longer applied", down)
	}
	if _, err := m.Down(ctx); err == nil {
		t.Error("Down with nothing applied succeeded")
	}
	if err := m.pool.QueryRow(ctx, "SELECT to_regclass('users') IS NOT NULL").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users {
		t.Error("users table still exists after Down")
	}
}

// Keys PostgreSQL cannot store (NUL bytes, invalid UTF-8) match nothing;
// they must not turn into server errors.
func TestUnstorableKeys(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	for _, key := range []string{"a\x00b", "\xff\xfe"} {
		if _, err := s.UserByID(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByID(%q): err = %v, want store.ErrNotFound", key, err)
		}
		if _, err := s.UserByEmail(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByEmail(%q): err = %v, want store.ErrNotFound", key, err)
		}
		if _, err := s.UpdateUser(ctx, key, store.UserPatch{}, time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateUser(%q): err = %v, want store.ErrNotFound", key, err)
		}
		if users, total, err := s.ListUsers(ctx, store.ListUsersParams{EmailPrefix: key, Limit: 10}); err != nil || len(users) != 0 || total != 0 {
			t.Errorf("ListUsers(prefix %q) = %d users, total %d, %v; want none", key, len(users), total, err)
		}
		if revoked, err := s.IsTokenRevoked(ctx, key); err != nil || revoked {
			t.Errorf("IsTokenRevoked(%q) = %v, %v; want false", key, revoked, err)
		}
	}
}
