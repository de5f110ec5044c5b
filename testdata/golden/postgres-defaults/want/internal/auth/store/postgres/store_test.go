// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"bytes"
	"errors"
	"log/slog"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgtest"
	"example.com/demo/internal/auth/store/storetest"
)

// openFresh opens a store on a fresh schema of the test server; without
// REGSTACK_TEST_DATABASE_URL the test is skipped.
func openFresh(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), pgtest.URL(t), WithLogger(quiet))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// quiet discards the store's log lines.
var quiet = slog.New(slog.DiscardHandler)

// wantMigrations are the migrations this package has, SQL and Go, in order.
var wantMigrations = []store.Migration{
	{Version: 1, Name: "00001_init.sql"},
	{Version: 2, Name: "00002_email_key.sql"},
	{Version: 3, Name: "00003_email_key_backfill.go"},
	{Version: 6, Name: "00006_user_list_and_counts.sql"},
	{Version: 7, Name: "00007_user_prefix_search.sql"},
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
	if err := migrate(t.Context(), s.pool, quiet); err != nil {
		t.Errorf("migrate on an up-to-date database: %v", err)
	}
	checkVersions(t, s, len(wantMigrations))

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
	checkVersions(t, stores[0], len(wantMigrations))
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
	m, err := OpenMigrator(ctx, url, WithLogger(quiet))
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	defer m.Close()

	st, err := m.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	want := slices.Clone(wantMigrations)
	if !slices.Equal(st, want) {
		t.Fatalf("Status on a fresh database = %+v, want %+v", st, want)
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
	for i := range want {
		want[i].Applied = true
	}
	if !slices.Equal(applied, want) {
		t.Errorf("Up = %+v, want %+v", applied, want)
	}
	if again, err := m.Up(ctx); err != nil || len(again) != 0 {
		t.Errorf("second Up = %+v, %v; want nothing applied", again, err)
	}
	if st, err := m.Status(ctx); err != nil || !slices.Equal(st, want) {
		t.Errorf("Status after Up = %+v, %v; want %+v", st, err, want)
	}

	// Newest first: a feature's migration may leave a gap in the numbers.
	for i := len(want) - 1; i >= 0; i-- {
		version := want[i].Version
		down, err := m.Down(ctx)
		if err != nil {
			t.Fatalf("Down from version %d: %v", version, err)
		}
		if down.Version != version || down.Applied {
			t.Errorf("Down = %+v, want version %d, no longer applied", down, version)
		}
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
		if revoked, err := s.IsTokenRevoked(ctx, key); err != nil || revoked {
			t.Errorf("IsTokenRevoked(%q) = %v, %v; want false", key, revoked, err)
		}
	}
}

// A database migrated before email keys existed: migration 3 computes the
// keys in Go. Of two accounts whose addresses share a key the older keeps
// it and the newer gets one no lookup produces, with a warning; pending
// registrations sharing a key become contested; tokens learn their
// account's address.
func TestEmailKeyBackfill(t *testing.T) {
	ctx := t.Context()
	url := pgtest.URL(t)
	pool, err := connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer pool.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := newProvider(ctx, db, logger)
	if err != nil {
		t.Fatalf("newProvider: %v", err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatalf("migrating to version 1: %v", err)
	}

	// The composed and the decomposed spelling of one address: distinct to
	// lower(email), one to EmailKey. The one inserted first was created
	// later, so the creation time, not the insertion order, decides.
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	const insertUser = `INSERT INTO users (id, email, created_at, updated_at) VALUES ($1, $2, $3, $3)`
	exec(insertUser, "newer", "\u00d6sten@Example.org", t0.Add(time.Hour))
	exec(insertUser, "older", "o\u0308sten@example.org", t0)
	exec(insertUser, "plain", "Plain@Example.org", t0)
	const insertPending = `INSERT INTO pending_registrations
		(id, email, hashed_password, token_hash, created_at, expires_at) VALUES ($1, $2, 'h', $3, $4, $5)`
	exec(insertPending, "p1", "\u00f1ew@example.org", "t1", t0, t0.Add(time.Hour))
	exec(insertPending, "p2", "n\u0303ew@example.org", "t2", t0.Add(time.Minute), t0.Add(time.Hour))
	exec(insertPending, "p3", "Solo@Example.org", "t3", t0, t0.Add(time.Hour))
	const insertToken = `INSERT INTO account_tokens
		(token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, 'email_change', $3, $4)`
	exec(insertToken, "tok-plain", "plain", t0, t0.Add(time.Hour))
	exec(insertToken, "tok-gone", "no-such-user", t0, t0.Add(time.Hour))

	if err := migrate(ctx, pool, logger); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	keys := map[string]string{}
	rows, err := pool.Query(ctx, "SELECT id, email_key FROM users")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		keys[id] = key
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"older": store.EmailKey("\u00f6sten@example.org"),
		"newer": duplicateKey("newer"),
		"plain": "plain@example.org",
	}
	for id, key := range want {
		if keys[id] != key {
			t.Errorf("user %s: email_key %q, want %q", id, keys[id], key)
		}
	}
	if store.EmailKey(duplicateKey("newer")) == duplicateKey("newer") {
		t.Errorf("duplicateKey gives a key EmailKey can produce")
	}
	if log := logs.String(); !strings.Contains(log, "user_id=newer") || !strings.Contains(log, "older_user_id=older") {
		t.Errorf("no warning naming both accounts; logs:\n%s", log)
	}

	s, err := Open(ctx, url, WithLogger(quiet))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if u, err := s.UserByEmail(ctx, "\u00d6STEN@example.org"); err != nil || u.ID != "older" {
		t.Errorf("UserByEmail after the backfill = %+v, %v; want the older account", u, err)
	}
	if u, err := s.UserByEmail(ctx, "plain@example.ORG"); err != nil || u.ID != "plain" {
		t.Errorf("UserByEmail(plain) = %+v, %v", u, err)
	}

	pending, err := s.PendingByEmail(ctx, "\u00d1EW@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ID != "p2" || pending[1].ID != "p1" || !pending[0].Contested || !pending[1].Contested {
		t.Errorf("pending registrations of one key after the backfill = %+v; want p2 and p1, both contested", pending)
	}
	if solo, err := s.PendingByEmail(ctx, "solo@example.org"); err != nil || len(solo) != 1 || solo[0].Contested {
		t.Errorf("the only pending registration of its address = %+v, %v; want it uncontested", solo, err)
	}

	tok, err := s.ConsumeAccountToken(ctx, "tok-plain", store.PurposeEmailChange, t0)
	if err != nil || tok.Email != "Plain@Example.org" {
		t.Errorf("token after the backfill = %+v, %v; want its account's address", tok, err)
	}
	tok, err = s.ConsumeAccountToken(ctx, "tok-gone", store.PurposeEmailChange, t0)
	if err != nil || tok.Email != "" {
		t.Errorf("token of a deleted account = %+v, %v; want no address", tok, err)
	}

	// Going back down keeps the newest registration of each address, which
	// is all the old schema can hold.
	for i, email := range []string{"Dup@example.org", "dup@example.org"} {
		reg := &store.PendingRegistration{Email: email, PasswordHash: "h", TokenHash: "dup" + email,
			CreatedAt: t0.Add(time.Duration(i) * time.Minute), ExpiresAt: t0.Add(time.Hour)}
		if err := s.AddPending(ctx, reg, 5); err != nil {
			t.Fatalf("AddPending: %v", err)
		}
	}
	if _, err := p.DownTo(ctx, 1); err != nil {
		t.Fatalf("migrating down to version 1: %v", err)
	}
	var kept []string
	rows, err = pool.Query(ctx, "SELECT email FROM pending_registrations WHERE lower(email) = 'dup@example.org'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, email)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, []string{"dup@example.org"}) {
		t.Errorf("pending registrations of one address after migrating down = %q, want the newest", kept)
	}
}
