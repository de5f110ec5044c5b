// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

// legacySteps are the steps before the email-key step: what a database
// created by an older version of the store has.
func legacySteps(t *testing.T) []step {
	t.Helper()
	list := steps()[:2]
	for _, st := range list {
		if st.data != nil {
			t.Fatalf("legacy step %s rewrites documents", st.name)
		}
	}
	return list
}

// openLegacy returns a migrator on a fresh database with only the legacy
// steps applied.
func openLegacy(t *testing.T, url string) *Migrator {
	t.Helper()
	m, err := OpenMigrator(t.Context(), url, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if _, err := applyStepList(t.Context(), m.db, m.logger, legacySteps(t)); err != nil {
		t.Fatalf("applying the legacy steps: %v", err)
	}
	return m
}

// Up applies every step; Down refuses the email-key step, which rewrote
// documents, and changes nothing.
func TestMigratorUpDownIrreversible(t *testing.T) {
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
	if !hasIndex(t, m, usersCollection, "email_unique") || !hasIndex(t, m, pendingCollection, "ix_pending_email_key_created_at") {
		t.Fatal("indexes missing after Up")
	}
	if hasIndex(t, m, pendingCollection, "pending_email_unique") {
		t.Error("pending_email_unique still there after Up")
	}

	// The user-flags step (6) is the newest and only made indexes: Down
	// undoes it first, and Up puts it back.
	if rolled, err := m.Down(ctx); err != nil || rolled.Version != 6 {
		t.Fatalf("Down of the user-flags step = %+v, %v", rolled, err)
	}
	if hasIndex(t, m, usersCollection, "ix_users_is_active") {
		t.Error("users.ix_users_is_active still there after its step was rolled back")
	}

	if _, err := m.Down(ctx); !errors.Is(err, ErrIrreversible) {
		t.Errorf("Down of the email-key step: err = %v, want ErrIrreversible", err)
	}
	// Up puts back what Down rolled back, oldest first.
	var want []int64
	want = append(want, 6)
	applied, err = m.Up(ctx)
	if err != nil || len(applied) != len(want) {
		t.Fatalf("Up after the refused Down = %+v, %v; want versions %v", applied, err, want)
	}
	for i, a := range applied {
		if a.Version != want[i] {
			t.Errorf("Up after the refused Down applied %+v at %d, want version %d", a, i, want[i])
		}
	}
	status, err = m.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	for _, st := range status {
		if !st.Applied {
			t.Errorf("step %s no longer applied after a refused Down", st.Name)
		}
	}
	if !hasIndex(t, m, pendingCollection, "ix_pending_email_key_created_at") {
		t.Error("a refused Down dropped ix_pending_email_key_created_at")
	}
}

// On a database of the index steps only, Down drops the newest step's
// indexes and forgets it. Rolling back every step leaves no regstack
// index, one more Down says there is nothing left, and Up puts everything
// back.
func TestMigratorDownUp(t *testing.T) {
	url := mongotest.URL(t)
	ctx := t.Context()
	m := openLegacy(t, url)
	legacy := legacySteps(t)
	if !hasIndex(t, m, usersCollection, "email_unique") {
		t.Fatal("users.email_unique missing after the legacy steps")
	}

	for i := len(legacy) - 1; i >= 0; i-- {
		rolled, err := m.Down(ctx)
		if err != nil {
			t.Fatalf("Down: %v", err)
		}
		if want := legacy[i]; rolled.Version != want.version || rolled.Applied {
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
	second, err := s.ReserveLoginAttempt(ctx, "seq@example.com", at.Add(time.Second), window)
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

// A consume that finds the address claimed by another one in progress
// loses and changes nothing; a claim left behind by a consume that died
// is cleared by the next consume once it is abandoned, and by
// PurgeExpired, which does not count it.
func TestConsumePendingClaim(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, hash := range []string{"claim-a", "claim-b"} {
		p := &store.PendingRegistration{Email: "Claimed@example.com", PasswordHash: "h", TokenHash: hash,
			CreatedAt: t0.Add(time.Duration(i) * time.Second), ExpiresAt: t0.Add(time.Hour)}
		if err := s.AddPending(ctx, p, 5); err != nil {
			t.Fatal(err)
		}
	}
	key := store.EmailKey("claimed@example.com")
	held := claimDoc{Key: key, Owner: "another-consume", ExpiresAt: micros(t0.Add(claimTTL))}
	if _, err := s.claims.InsertOne(ctx, held); err != nil {
		t.Fatal(err)
	}

	if _, err := s.ConsumePending(ctx, "claim-a", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ConsumePending while another holds the address: err = %v, want ErrNotFound", err)
	}
	if got, err := s.PendingByEmail(ctx, "claimed@example.com"); err != nil || len(got) != 2 {
		t.Errorf("after the losing consume: %d rows, %v; want both left", len(got), err)
	}

	// The holder died; once its claim has expired, the next consume
	// clears it and wins.
	later := t0.Add(claimTTL)
	got, err := s.ConsumePending(ctx, "claim-a", later)
	if err != nil {
		t.Fatalf("ConsumePending after the claim was abandoned: %v", err)
	}
	if got.TokenHash != "claim-a" || !got.Contested {
		t.Errorf("ConsumePending = %+v, want claim-a, contested", got)
	}
	if n, err := s.claims.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("claims after the consume: %d, %v; want none (released)", n, err)
	}

	// An abandoned claim nobody consumes again goes with PurgeExpired,
	// uncounted.
	if _, err := s.claims.InsertOne(ctx, claimDoc{Key: "gone@example.com", Owner: "dead", ExpiresAt: micros(t0)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeExpired(ctx, later, t0); err != nil || n != 0 {
		t.Errorf("PurgeExpired = %d, %v; want 0 (a claim is not counted)", n, err)
	}
	if n, err := s.claims.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("claims after PurgeExpired: %d, %v; want none", n, err)
	}
}

// Of sign-ups for one address racing each other, every stored row ends up
// contested: each inserts before it looks, so the last to look sees the
// others.
func TestAddPendingConcurrentAllContested(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.AddPending(ctx, &store.PendingRegistration{
				Email: "crowd@example.com", PasswordHash: "h", TokenHash: fmt.Sprint("crowd-", i),
				CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
			}, 2*n)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("AddPending: %v", err)
		}
	}
	got, err := s.PendingByEmail(ctx, "crowd@example.com")
	if err != nil || len(got) != n {
		t.Fatalf("PendingByEmail = %d rows, %v; want %d", len(got), err, n)
	}
	for _, p := range got {
		if !p.Contested {
			t.Errorf("row %s not contested", p.TokenHash)
		}
	}
}

// LastLogin only moves forward, and a revocation never lowers a cutoff:
// out-of-order sign-ins and revocations from replicas with skewed clocks
// leave every accepted session covered by a later revocation.
func TestLastLoginAndCutoffOnlyRise(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &store.User{Email: "skew@example.com", PasswordHash: "h", IsActive: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	ahead, behind := t0.Add(time.Minute), t0.Add(time.Second)
	for _, at := range []time.Time{ahead, behind} {
		if err := s.RecordLogin(ctx, u.ID, store.LoginRecord{At: at, PasswordHash: "h"}); err != nil {
			t.Fatalf("RecordLogin(%v): %v", at, err)
		}
	}
	got, err := s.RevokeSessions(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastLogin.Equal(ahead) || !got.TokensInvalidatedAfter.Equal(ahead) {
		t.Errorf("LastLogin %v, cutoff %v; want both %v (the later sign-in)", got.LastLogin, got.TokensInvalidatedAfter, ahead)
	}
	later := t0.Add(time.Hour)
	if _, err := s.RevokeSessions(ctx, u.ID, later); err != nil {
		t.Fatal(err)
	}
	got, err = s.RevokeSessions(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.TokensInvalidatedAfter.Equal(later) {
		t.Errorf("cutoff after a revocation with an earlier clock = %v, want it kept at %v", got.TokensInvalidatedAfter, later)
	}
}
