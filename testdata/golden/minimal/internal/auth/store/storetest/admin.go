// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"example.com/demo/internal/auth/store"
)

// runAdmin adds the operator methods (Stats, ListUsers, UpdateUser,
// RevokeSessions) to the suite.
func (s suite) runAdmin(t *testing.T) {
	t.Run("Stats", s.stats)
	t.Run("ListUsersOrderAndPaging", s.listUsersPaging)
	t.Run("ListUsersEmailPrefix", s.listUsersPrefix)
	t.Run("UpdateUser", s.updateUser)
	t.Run("UpdateUserDisableRevokesSessions", s.updateUserDisable)
	t.Run("RevokeSessions", s.revokeSessions)
}

func boolPtr(b bool) *bool { return &b }

func (s suite) stats(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	now := t0.Add(time.Hour)

	got, err := st.Stats(ctx, now)
	if err != nil {
		t.Fatalf("Stats on an empty store: %v", err)
	}
	if got != (store.Stats{}) {
		t.Errorf("Stats on an empty store = %+v, want zeros", got)
	}

	for i, u := range []*store.User{
		{IsActive: true, IsVerified: true, IsSuperuser: true},
		{IsActive: true, IsVerified: true},
		{IsActive: true},
		{IsVerified: true},
		{},
	} {
		u.Email = fmt.Sprintf("user%d@example.com", i)
		u.CreatedAt, u.UpdatedAt = t0, t0
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
	}
	// Two live pending registrations, one that expires exactly now and one
	// long expired: only rows with expires_at after now count. Every row
	// counts, several registrations for one address included.
	for i, exp := range []time.Time{now.Add(time.Microsecond), now.Add(time.Hour), now, t0} {
		p := &store.PendingRegistration{
			Email: fmt.Sprintf("pending%d@example.com", i), PasswordHash: "h",
			TokenHash: fmt.Sprintf("stats-%d", i), CreatedAt: t0, ExpiresAt: exp,
		}
		if err := st.AddPending(ctx, p, 2); err != nil {
			t.Fatalf("AddPending: %v", err)
		}
	}
	second := &store.PendingRegistration{
		Email: "PENDING0@example.com", PasswordHash: "h", TokenHash: "stats-again",
		CreatedAt: t0.Add(time.Second), ExpiresAt: now.Add(time.Minute),
	}
	if err := st.AddPending(ctx, second, 2); err != nil {
		t.Fatalf("AddPending: %v", err)
	}
	got, err = st.Stats(ctx, now)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := store.Stats{TotalUsers: 5, ActiveUsers: 3, VerifiedUsers: 3, Superusers: 1, PendingRegistrations: 3}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// emailsOf lists the users' emails in order.
func emailsOf(users []*store.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Email
	}
	return out
}

func (s suite) listUsersPaging(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()

	users, total, err := st.ListUsers(ctx, store.ListUsersParams{Limit: 10})
	if err != nil || total != 0 || len(users) != 0 {
		t.Fatalf("ListUsers on an empty store = %v, %d, %v; want none", users, total, err)
	}

	// u0 is the oldest. u2 and u3 share a creation time: ties are broken
	// by id, descending.
	created := []time.Time{t0, t0.Add(time.Microsecond), t0.Add(time.Second), t0.Add(time.Second), t0.Add(time.Minute)}
	var all []*store.User
	for i, at := range created {
		u := newUser(fmt.Sprintf("u%d@example.com", i))
		u.CreatedAt, u.UpdatedAt = at, at
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		all = append(all, u)
	}
	tied := []string{all[2].Email, all[3].Email}
	if all[2].ID < all[3].ID {
		tied = []string{all[3].Email, all[2].Email}
	}
	want := append(append([]string{"u4@example.com"}, tied...), "u1@example.com", "u0@example.com")

	users, total, err = st.ListUsers(ctx, store.ListUsersParams{Limit: 200})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if got := emailsOf(users); !slices.Equal(got, want) || total != 5 {
		t.Errorf("ListUsers = %v (total %d), want %v (total 5)", got, total, want)
	}
	checkUser(t, users[0], all[4])

	for _, page := range []struct{ skip, limit int }{{0, 2}, {2, 2}, {4, 2}, {5, 2}, {9, 1}, {1, 3}} {
		users, total, err := st.ListUsers(ctx, store.ListUsersParams{Skip: page.skip, Limit: page.limit})
		if err != nil {
			t.Fatalf("ListUsers(skip %d, limit %d): %v", page.skip, page.limit, err)
		}
		lo, hi := min(page.skip, len(want)), min(page.skip+page.limit, len(want))
		if got := emailsOf(users); !slices.Equal(got, want[lo:hi]) || total != 5 {
			t.Errorf("ListUsers(skip %d, limit %d) = %v (total %d), want %v (total 5)",
				page.skip, page.limit, got, total, want[lo:hi])
		}
	}
}

func (s suite) listUsersPrefix(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	emails := []string{
		"Alice@Example.com", "alice.b@example.com", "bob@example.com",
		"a_b@example.com", "axb@example.com", "a%c@example.com", "abc@example.com",
		"a.c@example.com", "abbc@example.com", "x*y@example.com", "xxy@example.com",
		`a\b@example.com`, "\u00d6sten@example.com", "O\u0308rjan@example.com",
	}
	for i, e := range emails {
		u := newUser(e)
		// Distinct times so the expected order is the reverse of the list.
		u.CreatedAt = t0.Add(time.Duration(i) * time.Second)
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser(%s): %v", e, err)
		}
	}
	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{"", nil}, // everyone
		{"ALICE", []string{"alice.b@example.com", "Alice@Example.com"}},
		{"alice@EXAMPLE.COM", []string{"Alice@Example.com"}},
		{"bob", []string{"bob@example.com"}},
		// SQL LIKE wildcards are literal characters.
		{"a_", []string{"a_b@example.com"}},
		{"a%", []string{"a%c@example.com"}},
		// So are regular-expression metacharacters.
		{"a.", []string{"a.c@example.com"}},
		{"x*", []string{"x*y@example.com"}},
		{"ab+", nil},
		{"a[bx]", nil},
		{`a\`, []string{`a\b@example.com`}},
		{"^a", nil},
		{"nobody", nil},
		// The prefix is compared by its key too: case and normal form.
		{"\u00f6", []string{"O\u0308rjan@example.com", "\u00d6sten@example.com"}},
		{"o\u0308S", []string{"\u00d6sten@example.com"}},
		{"\u00d6R", []string{"O\u0308rjan@example.com"}},
		{"O", nil},
	} {
		users, total, err := st.ListUsers(ctx, store.ListUsersParams{EmailPrefix: c.prefix, Limit: 50})
		if err != nil {
			t.Fatalf("ListUsers(prefix %q): %v", c.prefix, err)
		}
		want := c.want
		if c.prefix == "" {
			want = slices.Clone(emails)
			slices.Reverse(want)
		}
		if got := emailsOf(users); !slices.Equal(got, want) || total != len(want) {
			t.Errorf("ListUsers(prefix %q) = %v (total %d), want %v (total %d)", c.prefix, got, total, want, len(want))
		}
	}
	// The total counts every match, not just the page.
	users, total, err := st.ListUsers(ctx, store.ListUsersParams{EmailPrefix: "A", Limit: 1, Skip: 1})
	if err != nil || total != 9 || len(users) != 1 {
		t.Errorf("ListUsers(prefix A, skip 1, limit 1) = %v, total %d, %v; want 1 user of 9", emailsOf(users), total, err)
	}
}

func (s suite) updateUser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "patch@example.com")
	now := t0.Add(time.Hour)

	// An empty patch changes nothing, not even UpdatedAt.
	got, err := st.UpdateUser(ctx, u.ID, store.UserPatch{}, now)
	if err != nil {
		t.Fatalf("UpdateUser({}): %v", err)
	}
	checkUser(t, got, u)

	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsSuperuser: boolPtr(true), FullName: ptr("Pat Admin")}, now)
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want := *u
	want.IsSuperuser, want.FullName, want.UpdatedAt = true, ptr("Pat Admin"), now
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)

	// Fields left nil stay; enabling an active user revokes nothing.
	later := now.Add(time.Minute)
	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(true), IsSuperuser: boolPtr(false)}, later)
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want.IsSuperuser, want.UpdatedAt = false, later
	checkUser(t, got, &want)

	_, err = st.UpdateUser(ctx, "no-such-user", store.UserPatch{IsActive: boolPtr(false)}, now)
	wantNotFound(t, "UpdateUser of an unknown id", err)
	_, err = st.UpdateUser(ctx, "no-such-user", store.UserPatch{}, now)
	wantNotFound(t, "empty UpdateUser of an unknown id", err)
}

func (s suite) updateUserDisable(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "disable@example.com")
	other := mustCreate(t, st, "bystander@example.com")
	tokens := mustTokens(t, st, u, other)
	off := t0.Add(time.Hour)

	got, err := st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(false)}, off)
	if err != nil {
		t.Fatalf("UpdateUser(disable): %v", err)
	}
	want := *u
	want.IsActive, want.UpdatedAt, want.TokensInvalidatedAfter = false, off, off
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	checkUser(t, mustUser(t, st, other.ID), other)
	// A reset link mailed before the disable must not work after it.
	tokens.check(t, st, "disabling", t0)

	// Re-enabling keeps the cutoff: sessions from before the disable stay
	// dead.
	on := off.Add(time.Hour)
	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(true)}, on)
	if err != nil {
		t.Fatalf("UpdateUser(enable): %v", err)
	}
	want.IsActive, want.UpdatedAt = true, on
	checkUser(t, got, &want)

	// A patch that does not disable keeps the user's tokens.
	tok := &store.AccountToken{
		TokenHash: "after-enable", UserID: u.ID, Purpose: store.PurposePasswordReset, Email: u.Email,
		CreatedAt: on, ExpiresAt: on.Add(time.Hour),
	}
	if err := st.CreateAccountToken(ctx, tok); err != nil {
		t.Fatalf("CreateAccountToken: %v", err)
	}
	for _, patch := range []store.UserPatch{{IsSuperuser: boolPtr(true)}, {IsActive: boolPtr(true)}, {FullName: ptr("Still Here")}} {
		if _, err := st.UpdateUser(ctx, u.ID, patch, on); err != nil {
			t.Fatalf("UpdateUser(%+v): %v", patch, err)
		}
	}
	if _, err := st.ConsumeAccountToken(ctx, tok.TokenHash, tok.Purpose, on); err != nil {
		t.Errorf("the user's token after patches that do not disable: %v", err)
	}
}

func (s suite) revokeSessions(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "revoke@example.com")
	other := mustCreate(t, st, "bystander@example.com")
	at := t0.Add(time.Hour + 123*time.Microsecond)

	got, err := st.RevokeSessions(ctx, u.ID, at)
	if err != nil {
		t.Fatalf("RevokeSessions: %v", err)
	}
	// Only the cutoff moves: the account itself did not change.
	want := *u
	want.TokensInvalidatedAfter = at
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	checkUser(t, mustUser(t, st, other.ID), other)

	_, err = st.RevokeSessions(ctx, "no-such-user", at)
	wantNotFound(t, "RevokeSessions of an unknown id", err)
}
