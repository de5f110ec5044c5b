// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/shop/internal/accounts/store"
)

// The email-key migration on a database the old schema filled: keys are
// computed by store.EmailKey, accounts that now share one are set aside
// (the earliest keeps it) and reported, and rolling back restores the old
// schema.
func TestEmailKeyMigration(t *testing.T) {
	ctx := t.Context()
	url := "sqlite:///" + filepath.Join(t.TempDir(), "auth.db")

	// The database as the previous version left it.
	m := openTempMigrator(t, url)
	if _, err := m.p.UpTo(ctx, 1); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	for _, stmt := range []string{
		// ASCII lower() kept these three apart; EmailKey does not. The
		// decomposed one is the oldest, so it keeps the key.
		`INSERT INTO users (id, email, created_at, updated_at) VALUES
		    ('a1', 'Östen@x.org', '2030-01-01T00:00:01.000000Z', '2030-01-01T00:00:01.000000Z'),
		    ('a0', 'O` + "\u0308" + `sten@x.org', '2030-01-01T00:00:00.000000Z', '2030-01-01T00:00:00.000000Z'),
		    ('a2', 'östen@x.org', '2030-01-01T00:00:01.000000Z', '2030-01-01T00:00:01.000000Z'),
		    ('b0', 'Bob@X.org', '2030-01-01T00:00:00.000000Z', '2030-01-01T00:00:00.000000Z')`,
		`INSERT INTO pending_registrations (id, email, hashed_password, token_hash, created_at, expires_at) VALUES
		    ('p1', 'Ärger@x.org', 'h1', 't1', '2030-01-01T00:00:00.000000Z', '2030-01-01T01:00:00.000000Z'),
		    ('p2', 'ärger@x.org', 'h2', 't2', '2030-01-01T00:00:01.000000Z', '2030-01-01T01:00:01.000000Z'),
		    ('p3', 'Carl@x.org', 'h3', 't3', '2030-01-01T00:00:00.000000Z', '2030-01-01T01:00:00.000000Z')`,
		`INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES
		    ('tok', 'b0', 'email_change', '2030-01-01T00:00:00.000000Z', '2999-01-01T00:00:00.000000Z')`,
		// The old store lower-cased attempt keys with SQLite's lower().
		`INSERT INTO login_attempts (email, "when") VALUES ('Östen@x.org', '2030-01-01T00:00:00.000000Z')`,
	} {
		if _, err := m.db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("old-schema data: %v", err)
		}
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := Open(ctx, url, WithLogger(logger))
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer s.Close()

	for _, email := range []string{"ÖSTEN@x.org", "östen@x.org", "o\u0308sten@X.ORG"} {
		got, err := s.UserByEmail(ctx, email)
		if err != nil || got.ID != "a0" {
			t.Errorf("UserByEmail(%+q) = %v, %v; want the oldest account a0", email, got, err)
		}
	}
	// The later ones are still there, by id, with their addresses.
	for _, id := range []string{"a1", "a2"} {
		if u, err := s.UserByID(ctx, id); err != nil || !strings.Contains(strings.ToLower(u.Email), "sten@x.org") {
			t.Errorf("UserByID(%s) = %v, %v", id, u, err)
		}
	}
	if err := s.CreateUser(ctx, &store.User{Email: "ÖSTEN@X.ORG", CreatedAt: time.Now(), UpdatedAt: time.Now()}); !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("CreateUser of the shared address: %v, want store.ErrEmailTaken", err)
	}
	for _, id := range []string{"a1", "a2"} {
		if !strings.Contains(logs.String(), "user="+id) {
			t.Errorf("no warning about %s; logs:\n%s", id, logs.String())
		}
	}
	if strings.Contains(logs.String(), "user=a0") || strings.Contains(logs.String(), "user=b0") {
		t.Errorf("warning about an account that kept its key; logs:\n%s", logs.String())
	}
	// Moving a set-aside account to an address of its own gives it a key.
	if _, err := s.SetEmail(ctx, "a2", "osten2@x.org", time.Now()); err != nil {
		t.Fatalf("SetEmail of a set-aside account: %v", err)
	}
	if got, err := s.UserByEmail(ctx, "OSTEN2@x.org"); err != nil || got.ID != "a2" {
		t.Errorf("UserByEmail after moving the set-aside account = %v, %v", got, err)
	}

	// Pending registrations that now share a key are contested.
	pending, err := s.PendingByEmail(ctx, "ÄRGER@x.org")
	if err != nil || len(pending) != 2 || !pending[0].Contested || !pending[1].Contested {
		t.Errorf("PendingByEmail(ÄRGER@x.org) = %v, %v; want both rows contested", pending, err)
	}
	if pending, err := s.PendingByEmail(ctx, "carl@x.org"); err != nil || len(pending) != 1 || pending[0].Contested {
		t.Errorf("PendingByEmail(carl@x.org) = %v, %v; want one uncontested row", pending, err)
	}
	// Tokens that do not record their address are gone.
	if _, err := s.ConsumeAccountToken(ctx, "tok", store.PurposeEmailChange, time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("account token from before the migration: %v, want store.ErrNotFound", err)
	}
	// Attempts are keyed by EmailKey now.
	if got, err := s.LoginFailuresSince(ctx, store.EmailKey("Östen@x.org"), time.Time{}); err != nil || len(got) != 1 {
		t.Errorf("attempts under the new key = %v, %v; want 1", got, err)
	}

	// Rolling back restores the old schema; contested registrations go.
	// DownTo rather than Down: migrations of optional features may be
	// numbered after this one.
	if _, err := m.p.DownTo(ctx, 1); err != nil {
		t.Fatalf("DownTo(1): %v", err)
	}
	var pendingRows, userRows int
	if err := m.db.QueryRowContext(ctx, `SELECT count(*) FROM pending_registrations`).Scan(&pendingRows); err != nil {
		t.Fatal(err)
	}
	if err := m.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&userRows); err != nil {
		t.Fatal(err)
	}
	if pendingRows != 1 || userRows != 4 {
		t.Errorf("after Down: %d pending registrations, %d users; want 1 and 4", pendingRows, userRows)
	}
	_, err = m.db.ExecContext(ctx, `INSERT INTO users (id, email, created_at, updated_at) VALUES ('x', 'BOB@x.org', '', '')`)
	if !isUniqueViolation(err) {
		t.Errorf("after Down, inserting BOB@x.org beside Bob@X.org: %v, want a unique violation", err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("Up again after Down: %v", err)
	}
}
