// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/mongo/mongotest"
	"example.com/demo/internal/auth/store/storetest"
)

// openFresh opens a store on a fresh database of the test server; without
// REGSTACK_TEST_DATABASE_URL the test is skipped.
func openFresh(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), mongotest.URL(t), WithLogger(slog.New(slog.DiscardHandler)))
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
		url, def, database, password string
	}{
		{"mongodb://localhost/auth", "regstack", "auth", ""},
		{"mongodb://localhost", "regstack", "regstack", ""},
		{"mongodb://localhost/", "fromconfig", "fromconfig", ""},
		{"mongodb://localhost/?replicaSet=rs0", "regstack", "regstack", ""},
		{"mongodb://app:s3cret@h1:27017,h2:27018/app_db?replicaSet=rs0&authSource=admin", "regstack", "app_db", "s3cret"},
		{"MONGODB://app:pw@localhost:27017/x", "regstack", "x", "pw"},
		{"mongodb+srv://app:p%40ss%2Fw0rd@cluster0.example.net/prod", "regstack", "prod", "p@ss/w0rd"},
		{"mongodb://user@localhost/my%2Ddb", "regstack", "my-db", ""},
	}
	for _, tt := range tests {
		src, err := parseURL(tt.url, tt.def)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.url, err)
			continue
		}
		if src.database != tt.database || src.password != tt.password {
			t.Errorf("parseURL(%q) = database %q password %q; want %q %q", tt.url, src.database, src.password, tt.database, tt.password)
		}
		if !strings.HasPrefix(src.uri, "mongodb") {
			t.Errorf("parseURL(%q): driver URI %q does not start with a lower-case scheme", tt.url, src.uri)
		}
	}

	for _, bad := range []struct{ url, def string }{
		{"", "regstack"},
		{"localhost:27017/app", "regstack"},
		{"postgres://user:secret@db/app", "regstack"},
		{"sqlite:///./regstack.db", "regstack"},
		{"mongodb://", "regstack"},
		{"mongodb://user:secret@/app", "regstack"},
		{"mongodb://localhost", ""},
		{"mongodb://user:secret@localhost/bad.name", "regstack"},
		{"mongodb://localhost/has space", "regstack"},
		{"mongodb://localhost/" + strings.Repeat("x", 64), "regstack"},
		{"mongodb://localhost/%zz", "regstack"},
	} {
		_, err := parseURL(bad.url, bad.def)
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("parseURL(%q): err = %v, want ErrInvalidURL", bad.url, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("parseURL(%q): error %q repeats the password", bad.url, err)
		}
	}
}

// A driver error that quotes the URL must not carry the password out.
func TestOpenRedactsPassword(t *testing.T) {
	_, err := Open(t.Context(), "mongodb://app:hunter2secret@localhost:27017/app?connectTimeoutMS=notanumber")
	if err == nil {
		t.Fatal("Open with a malformed option succeeded")
	}
	if strings.Contains(err.Error(), "hunter2secret") {
		t.Errorf("error %q repeats the password", err)
	}
}

// A server that is not there is "unavailable" (the account system starts
// and retries), and Open gives up within connectTimeout.
func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	_, err := Open(t.Context(), "mongodb://127.0.0.1:1/app?serverSelectionTimeoutMS=60000")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open(no server): err = %v, want store.ErrUnavailable", err)
	}
	if took := time.Since(start); took > connectTimeout+5*time.Second {
		t.Errorf("Open(no server) took %v, want about %v", took, connectTimeout)
	}
}

func TestTimesKeepMicroseconds(t *testing.T) {
	at := time.Date(2031, time.December, 31, 23, 59, 59, 999999999, time.FixedZone("x", 3600))
	if got := timeOf(micros(at)); !got.Equal(at.Truncate(time.Microsecond)) || got.Location() != time.UTC {
		t.Errorf("timeOf(micros(%v)) = %v, want %v in UTC", at, got, at.Truncate(time.Microsecond))
	}
	// The TTL twin is never earlier than the exact expiry.
	for _, exp := range []time.Time{at, at.Truncate(time.Millisecond), at.Add(500 * time.Microsecond)} {
		if d := ttlDate(exp); d.Before(exp) || d.Sub(exp) >= time.Millisecond || d.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("ttlDate(%v) = %v, want the next whole millisecond at or after it", exp, d)
		}
	}
}

func TestIDValue(t *testing.T) {
	oid := bson.NewObjectID()
	if v, ok := idValue(oid.Hex()).(bson.ObjectID); !ok || v != oid {
		t.Errorf("idValue(%s) = %v, want the ObjectId", oid.Hex(), idValue(oid.Hex()))
	}
	// Any other string, an upper-case ObjectId spelling included, stays a
	// string: the mapping is one-to-one.
	for _, s := range []string{"", "nope", strings.ToUpper(oid.Hex()), oid.Hex() + "0", "0123456789abcdef0123456789abcdef"} {
		if v, ok := idValue(s).(string); !ok || v != s {
			t.Errorf("idValue(%q) = %#v, want the string itself", s, idValue(s))
		}
		if back, err := idString(idValue(s)); err != nil || back != s {
			t.Errorf("idString(idValue(%q)) = %q, %v", s, back, err)
		}
	}
}

func TestEmailKeyFoldsASCIIOnly(t *testing.T) {
	if got := emailKey("Ädam.SMITH@Example.COM"); got != "Ädam.smith@example.com" {
		t.Errorf("emailKey = %q, want ASCII letters folded only", got)
	}
}

// Opening an existing database applies nothing again and keeps the data;
// the steps are recorded in regstack_migrations.
func TestStepsApplyOnce(t *testing.T) {
	url := mongotest.URL(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := Open(t.Context(), url, WithLogger(logger))
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	u := &store.User{Email: "kept@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	s.Close()
	firstLogs := logs.String()
	if n := strings.Count(firstLogs, "TTL"); n > 1 {
		t.Errorf("TTL skip logged %d times, want at most once:\n%s", n, firstLogs)
	}

	s, err = Open(t.Context(), url, WithLogger(logger))
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s.Close()
	if _, err := s.UserByID(t.Context(), u.ID); err != nil {
		t.Errorf("user after reopening: %v", err)
	}
	if logs.String() != firstLogs {
		t.Errorf("second Open logged again:\n%s", strings.TrimPrefix(logs.String(), firstLogs))
	}

	m, err := OpenMigrator(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	defer m.Close()
	status, err := m.Status(t.Context())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if len(status) != len(steps()) {
		t.Fatalf("Status = %+v, want %d steps", status, len(steps()))
	}
	for _, st := range status {
		if !st.Applied {
			t.Errorf("step %d %s not applied after Open", st.Version, st.Name)
		}
	}
	if applied, err := m.Up(t.Context()); err != nil || len(applied) != 0 {
		t.Errorf("Up on a current database = %+v, %v; want nothing", applied, err)
	}
}

// Down drops the newest step's indexes and forgets it; Up puts them back.
// Rolling back every step leaves no regstack index, and one more Down says
// there is nothing left.
func TestMigratorDownUp(t *testing.T) {
	url := mongotest.URL(t)
	ctx := t.Context()
	m, err := OpenMigrator(ctx, url, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	defer m.Close()

	status, err := m.Status(ctx)
	if err != nil {
		t.Fatalf("Status on an empty database: %v", err)
	}
	for _, st := range status {
		if st.Applied {
			t.Errorf("step %s applied on an empty database", st.Name)
		}
	}
	names, _ := m.db.ListCollectionNames(ctx, bson.D{})
	if len(names) != 0 {
		t.Errorf("OpenMigrator+Status created collections %v", names)
	}

	applied, err := m.Up(ctx)
	if err != nil || len(applied) != len(steps()) {
		t.Fatalf("Up = %+v, %v; want every step", applied, err)
	}
	if !hasIndex(t, m, usersCollection, "email_unique") {
		t.Fatal("users.email_unique missing after Up")
	}

	for i := len(steps()) - 1; i >= 0; i-- {
		rolled, err := m.Down(ctx)
		if err != nil {
			t.Fatalf("Down: %v", err)
		}
		if want := steps()[i]; rolled.Version != want.version || rolled.Applied {
			t.Errorf("Down rolled back %+v, want version %d", rolled, want.version)
		}
	}
	if hasIndex(t, m, usersCollection, "email_unique") {
		t.Error("users.email_unique still there after rolling back every step")
	}
	if _, err := m.Down(ctx); !errors.Is(err, ErrNothingToRollBack) {
		t.Errorf("Down with nothing applied: err = %v, want ErrNothingToRollBack", err)
	}

	if applied, err := m.Up(ctx); err != nil || len(applied) != len(steps()) {
		t.Fatalf("Up after rolling back = %+v, %v", applied, err)
	}
	// The unique index works again.
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for i, email := range []string{"Dup@Example.com", "dup@example.com"} {
		err := s.CreateUser(ctx, &store.User{Email: email, CreatedAt: time.Now(), UpdatedAt: time.Now()})
		if i == 1 && !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("second CreateUser after Up: err = %v, want ErrEmailTaken", err)
		}
	}
}

func hasIndex(t *testing.T, m *Migrator, collection, name string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	specs, err := m.db.Collection(collection).Indexes().ListSpecifications(ctx)
	if err != nil {
		return false
	}
	for _, s := range specs {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Failures are counted per address; a withdrawn attempt stays out of the
// count but keeps its sequence number, so the next attempt gets a new one.
func TestWithdrawnAttemptKeepsItsSequence(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	window := at.Add(-time.Hour)
	first, err := s.ReserveLoginAttempt(ctx, "seq@example.com", at, window)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithdrawLoginAttempt(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	second, err := s.ReserveLoginAttempt(ctx, "SEQ@example.com", at.Add(time.Second), window)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Recent) != 1 {
		t.Errorf("count after a withdrawn attempt = %d, want 1", len(second.Recent))
	}
	var docs []attemptDoc
	cur, err := s.loginAttempts.Find(ctx, bson.D{{Key: "email_key", Value: "seq@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	seqs := map[int64]bool{}
	for _, d := range docs {
		seqs[d.Seq] = true
	}
	if len(docs) != 2 || !seqs[1] || !seqs[2] {
		t.Errorf("attempt documents = %+v, want seq 1 (withdrawn) and 2", docs)
	}
}
