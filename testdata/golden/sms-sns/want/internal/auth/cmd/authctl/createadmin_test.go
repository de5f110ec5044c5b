// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/store"
)

// userStore holds accounts in memory for the create-admin tests: the API
// cannot make an unverified account (a sign-up without verification is
// verified at once), but a database shared with an older deployment can
// hold them. Only the methods BootstrapAdmin uses exist.
type userStore struct {
	store.Store
	mu    sync.Mutex
	users []*store.User
}

func (s *userStore) UserByEmail(_ context.Context, email string) (*store.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if store.EmailKey(u.Email) == store.EmailKey(email) {
			c := *u
			return &c, nil
		}
	}
	return nil, store.ErrNotFound
}

func (s *userStore) CreateUser(_ context.Context, u *store.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.users {
		if store.EmailKey(o.Email) == store.EmailKey(u.Email) {
			return store.ErrEmailTaken
		}
	}
	c := *u
	s.users = append(s.users, &c)
	return nil
}

func (s *userStore) UpdateUser(_ context.Context, id string, p store.UserPatch, now time.Time) (*store.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ID == id {
			if p.IsSuperuser != nil {
				u.IsSuperuser = *p.IsSuperuser
			}
			u.UpdatedAt = now
			c := *u
			return &c, nil
		}
	}
	return nil, store.ErrNotFound
}

func (s *userStore) superuser(t *testing.T, email string) bool {
	t.Helper()
	u, err := s.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.IsSuperuser
}

// An account whose address nobody verified may belong to whoever typed the
// administrator's address first: create-admin refuses to promote it and
// says why, unless --force.
func TestCreateAdminRefusesUnverifiedAccount(t *testing.T) {
	te := newTestEnv(t)
	users := &userStore{users: []*store.User{
		{ID: "u-1", Email: "root@example.com", PasswordHash: "$argon2id$attacker", IsActive: true},
		{ID: "u-2", Email: "ok@example.com", PasswordHash: "$argon2id$owner", IsActive: true, IsVerified: true},
	}}
	te.authOptions = []auth.Option{auth.WithStore(users)}

	o := te.run(t, "", "create-admin", "-email", "Root@Example.com")
	if o.code != exitFailure || o.stdout != "" {
		t.Fatalf("create-admin for an unverified account: %s", o)
	}
	for _, want := range []string{"refusing to promote unverified account root@example.com (id=u-1)", "anyone can register an address", "verify it first", "--force"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("the refusal does not say %q: %s", want, o.stderr)
		}
	}
	if users.superuser(t, "root@example.com") {
		t.Fatal("the unverified account was promoted anyway")
	}
	// A password given does not change that (it is never used to promote).
	if o := te.run(t, "admin-password-1\n", "create-admin", "-email", "root@example.com", "-password-stdin"); o.code != exitFailure {
		t.Fatalf("with a password: %s", o)
	}

	// A verified account is promoted as before.
	o = te.mustRun(t, "", "create-admin", "-email", "ok@example.com")
	if !strings.HasPrefix(o.stdout, "promoted ok@example.com to admin (id=u-2)") || strings.Contains(o.stderr, "warning") {
		t.Fatalf("create-admin for a verified account: %s", o)
	}

	// --force promotes it, with a warning; -force is the same flag.
	o = te.mustRun(t, "", "create-admin", "-email", "root@example.com", "--force")
	if !strings.HasPrefix(o.stdout, "promoted root@example.com to admin (id=u-1)") || !strings.Contains(o.stderr, "was never verified (promoted because of --force)") {
		t.Fatalf("create-admin --force: %s", o)
	}
	if !users.superuser(t, "root@example.com") {
		t.Fatal("--force did not promote")
	}
	// An unverified admin is already an admin: nothing to refuse.
	if o := te.mustRun(t, "", "create-admin", "-email", "root@example.com"); !strings.Contains(o.stdout, "already an admin") {
		t.Fatalf("create-admin for an unverified admin: %s", o)
	}
}
