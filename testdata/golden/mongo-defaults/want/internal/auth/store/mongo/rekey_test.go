// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/mongo/mongotest"
)

// asciiKey is the key the legacy steps' store wrote: ASCII letters
// lower-cased, everything else as given.
func asciiKey(email string) string {
	b := []byte(email)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// The email-key step recomputes every key: users that now share an
// address keep the earliest on it and set the others aside, pending
// registrations that now share one are contested, and account tokens
// without an address are deleted.
func TestEmailKeyStep(t *testing.T) {
	url := mongotest.URL(t)
	ctx := t.Context()
	m := openLegacy(t, url)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

	insertUser := func(email string, created time.Time) *store.User {
		t.Helper()
		u := &store.User{ID: newID(), Email: email, PasswordHash: "h", IsActive: true, CreatedAt: created, UpdatedAt: created}
		d := userDocFrom(u)
		d.EmailKey = asciiKey(email)
		if _, err := m.db.Collection(usersCollection).InsertOne(ctx, d); err != nil {
			t.Fatalf("insert legacy user %+q: %v", email, err)
		}
		return u
	}
	// One address in three forms. The second already has the new key as
	// its old one, so the earliest can only take it once that one has been
	// set aside.
	kept := insertUser("\u00d6sten@x.org", t0)
	asideLower := insertUser("\u00f6sten@x.org", t0.Add(time.Second))
	asideDecomposed := insertUser("O\u0308sten@x.org", t0.Add(2*time.Second))
	plain := insertUser("Plain@Example.com", t0)
	lone := insertUser("\u00dcN\u00cfCODE@x.org", t0)

	insertPending := func(email, hash string) {
		t.Helper()
		p := &store.PendingRegistration{ID: newID(), Email: email, PasswordHash: "h", TokenHash: hash, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		d := pendingDocFrom(p)
		d.EmailKey = asciiKey(email)
		raw, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		// Legacy rows have no contested field.
		var doc bson.D
		if err := bson.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		var legacy bson.D
		for _, e := range doc {
			if e.Key != "contested" {
				legacy = append(legacy, e)
			}
		}
		if _, err := m.db.Collection(pendingCollection).InsertOne(ctx, legacy); err != nil {
			t.Fatalf("insert legacy pending %+q: %v", email, err)
		}
	}
	insertPending("ZO\u00cb@x.org", "zoe-composed")
	insertPending("zoe\u0308@x.org", "zoe-decomposed")
	insertPending("single@x.org", "single")

	tokens := m.db.Collection(accountTokensCollection)
	if _, err := tokens.InsertOne(ctx, bson.D{
		{Key: "_id", Value: "legacy-token"}, {Key: "user_id", Value: kept.ID}, {Key: "purpose", Value: store.PurposeEmailChange},
		{Key: "created_at", Value: micros(t0)}, {Key: "expires_at", Value: micros(t0.Add(time.Hour))},
	}); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	s, err := Open(ctx, url, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("Open (applies the email-key step): %v", err)
	}
	defer s.Close()

	for _, email := range []string{"\u00f6sten@x.org", "O\u0308STEN@X.ORG", "\u00d6sten@x.org"} {
		if got, err := s.UserByEmail(ctx, email); err != nil || got.ID != kept.ID {
			t.Errorf("UserByEmail(%+q) = %v, %v; want the earliest account %s", email, got, err, kept.ID)
		}
	}
	for _, u := range []*store.User{asideLower, asideDecomposed} {
		var d userDoc
		if err := s.users.FindOne(ctx, byID(u.ID)).Decode(&d); err != nil {
			t.Fatalf("set-aside user %s: %v", u.ID, err)
		}
		if d.EmailKey != setAsideKeyPrefix+u.ID || d.Email != u.Email {
			t.Errorf("set-aside user %s: email %+q key %+q; want its address kept and key %+q", u.ID, d.Email, d.EmailKey, setAsideKeyPrefix+u.ID)
		}
		if !strings.Contains(logs.String(), u.ID) {
			t.Errorf("the log does not name set-aside user %s:\n%s", u.ID, logs.String())
		}
	}
	if !strings.Contains(logs.String(), kept.ID) || !strings.Contains(logs.String(), "set aside") {
		t.Errorf("the log does not say which account kept the address:\n%s", logs.String())
	}
	for email, want := range map[string]string{"plain@example.com": plain.ID, "\u00fcn\u00efcode@X.org": lone.ID} {
		if got, err := s.UserByEmail(ctx, email); err != nil || got.ID != want {
			t.Errorf("UserByEmail(%+q) = %v, %v; want %s", email, got, err, want)
		}
	}
	// The address stays taken in every form.
	if err := s.CreateUser(ctx, &store.User{Email: "O\u0308sten@X.org", CreatedAt: t0, UpdatedAt: t0}); !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("CreateUser of the shared address: err = %v, want ErrEmailTaken", err)
	}

	zoe, err := s.PendingByEmail(ctx, "zo\u00eb@x.org")
	if err != nil || len(zoe) != 2 || !zoe[0].Contested || !zoe[1].Contested {
		t.Errorf("PendingByEmail(zoë) = %+v, %v; want both registrations, contested", zoe, err)
	}
	single, err := s.PendingByEmail(ctx, "SINGLE@x.org")
	if err != nil || len(single) != 1 || single[0].Contested {
		t.Errorf("PendingByEmail(single) = %+v, %v; want one uncontested registration", single, err)
	}

	if n, err := tokens.CountDocuments(ctx, bson.D{{Key: "_id", Value: "legacy-token"}}); err != nil || n != 0 {
		t.Errorf("legacy account token: %d left, %v; want it deleted", n, err)
	}

	// Running the rewrite again changes and logs nothing.
	logged := logs.String()
	if err := rekey(ctx, m.db, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatalf("rekey again: %v", err)
	}
	if logs.String() != logged {
		t.Errorf("second rekey logged:\n%s", strings.TrimPrefix(logs.String(), logged))
	}
	if got, err := s.UserByEmail(ctx, "\u00f6sten@x.org"); err != nil || got.ID != kept.ID {
		t.Errorf("after a second rekey, UserByEmail = %v, %v; want %s", got, err, kept.ID)
	}
}

// Keys that must trade places are untangled by parking one user.
func TestApplyKeyMovesSwap(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	a := &keyedDoc{ID: "a", id: "a", EmailKey: "key-1"}
	b := &keyedDoc{ID: "b", id: "b", EmailKey: "key-2"}
	for _, d := range []*keyedDoc{a, b} {
		if _, err := s.users.InsertOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "email_key", Value: d.EmailKey}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := applyKeyMoves(ctx, s.users, []keyMove{{a, "key-1", "key-2"}, {b, "key-2", "key-1"}}); err != nil {
		t.Fatalf("applyKeyMoves: %v", err)
	}
	for id, want := range map[string]string{"a": "key-2", "b": "key-1"} {
		var d keyedDoc
		if err := s.users.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil || d.EmailKey != want {
			t.Errorf("user %s: key %q, %v; want %q", id, d.EmailKey, err, want)
		}
	}
}
