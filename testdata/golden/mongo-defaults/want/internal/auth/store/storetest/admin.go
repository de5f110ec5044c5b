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

// runAdmin adds the methods of store.Admin (Stats, ListUsers) to the
// suite.
func (s suite) runAdmin(t *testing.T) {
	t.Run("Stats", s.stats)
	t.Run("ListUsersOrderAndPaging", s.listUsersPaging)
	t.Run("ListUsersEmailPrefix", s.listUsersPrefix)
}

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

	// The user counts stay exact through every write that changes a
	// counted flag (or none), as a recount of the users says.
	users, _, err := st.ListUsers(ctx, store.ListUsersParams{Limit: 100})
	if err != nil || len(users) != 5 {
		t.Fatalf("ListUsers = %d users, %v", len(users), err)
	}
	byEmail := map[string]*store.User{}
	for _, u := range users {
		byEmail[u.Email] = u
	}
	yes, no := true, false
	name := "Renamed"
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"MarkVerified", func() error { _, err := st.MarkVerified(ctx, byEmail["user4@example.com"].ID, now); return err }},
		{"MarkVerified again", func() error { _, err := st.MarkVerified(ctx, byEmail["user4@example.com"].ID, now); return err }},
		{"UpdateUser disable, promote", func() error {
			_, err := st.UpdateUser(ctx, byEmail["user2@example.com"].ID, store.UserPatch{IsActive: &no, IsSuperuser: &yes}, now)
			return err
		}},
		{"UpdateUser no flag", func() error {
			_, err := st.UpdateUser(ctx, byEmail["user1@example.com"].ID, store.UserPatch{FullName: &name}, now)
			return err
		}},
		{"UpdateUser same flags", func() error {
			_, err := st.UpdateUser(ctx, byEmail["user1@example.com"].ID, store.UserPatch{IsActive: &yes, IsSuperuser: &no}, now)
			return err
		}},
		{"SetEmail", func() error {
			_, err := st.SetEmail(ctx, byEmail["user3@example.com"].ID, "moved@example.com", now)
			return err
		}},
		{"DeleteUser", func() error { return st.DeleteUser(ctx, byEmail["user0@example.com"].ID) }},
		{"CreateUser", func() error {
			return st.CreateUser(ctx, &store.User{Email: "late@example.com", IsSuperuser: true, CreatedAt: now, UpdatedAt: now})
		}},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
		got, err := st.Stats(ctx, now)
		if err != nil {
			t.Fatalf("Stats after %s: %v", step.what, err)
		}
		users, total, err := st.ListUsers(ctx, store.ListUsersParams{Limit: 100})
		if err != nil {
			t.Fatalf("ListUsers after %s: %v", step.what, err)
		}
		want := store.Stats{TotalUsers: len(users), PendingRegistrations: 3}
		for _, u := range users {
			want.ActiveUsers += b2i(u.IsActive)
			want.VerifiedUsers += b2i(u.IsVerified)
			want.Superusers += b2i(u.IsSuperuser)
		}
		if got != want || total != len(users) {
			t.Errorf("after %s: Stats = %+v (list total %d), a recount says %+v", step.what, got, total, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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

	// After a cursor: the users past it, whichever user it names (the
	// tied pair included), with skip counted from it; also for a cursor
	// whose user is gone (only its position counts).
	for i, u := range users {
		for _, page := range []struct{ skip, limit int }{{0, 200}, {0, 1}, {1, 2}} {
			got, total, err := st.ListUsers(ctx, store.ListUsersParams{After: store.CursorOf(u), Skip: page.skip, Limit: page.limit})
			if err != nil {
				t.Fatalf("ListUsers(after %s): %v", u.Email, err)
			}
			lo, hi := min(i+1+page.skip, len(want)), min(i+1+page.skip+page.limit, len(want))
			if emails := emailsOf(got); !slices.Equal(emails, want[lo:hi]) || total != 5 {
				t.Errorf("ListUsers(after %s, skip %d, limit %d) = %v (total %d), want %v", u.Email, page.skip, page.limit, emails, total, want[lo:hi])
			}
		}
	}
	gone := &store.UserCursor{CreatedAt: t0.Add(time.Second), ID: ""}
	if got, _, err := st.ListUsers(ctx, store.ListUsersParams{After: gone, Limit: 200}); err != nil || !slices.Equal(emailsOf(got), want[3:]) {
		t.Errorf("ListUsers(after a position below the tie) = %v, %v; want %v", emailsOf(got), err, want[3:])
	}
	gone = &store.UserCursor{CreatedAt: t0.Add(30 * time.Second), ID: "x"}
	if got, _, err := st.ListUsers(ctx, store.ListUsersParams{After: gone, Limit: 200}); err != nil || !slices.Equal(emailsOf(got), want[1:]) {
		t.Errorf("ListUsers(after a position between times) = %v, %v; want %v", emailsOf(got), err, want[1:])
	}

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
	// Cursor pages within a prefix: "a" matches nine, walked two at a time.
	var walked []string
	var after *store.UserCursor
	for range 10 {
		users, total, err := st.ListUsers(ctx, store.ListUsersParams{EmailPrefix: "a", After: after, Limit: 2})
		if err != nil || total != 9 {
			t.Fatalf("ListUsers(prefix a, after %v) total %d, %v", after, total, err)
		}
		if len(users) == 0 {
			break
		}
		walked = append(walked, emailsOf(users)...)
		after = store.CursorOf(users[len(users)-1])
	}
	if all, _, _ := st.ListUsers(ctx, store.ListUsersParams{EmailPrefix: "a", Limit: 50}); !slices.Equal(walked, emailsOf(all)) || len(walked) != 9 {
		t.Errorf("cursor pages of prefix a = %v, want %v", walked, emailsOf(all))
	}
	// The total counts every match, not just the page.
	users, total, err := st.ListUsers(ctx, store.ListUsersParams{EmailPrefix: "A", Limit: 1, Skip: 1})
	if err != nil || total != 9 || len(users) != 1 {
		t.Errorf("ListUsers(prefix A, skip 1, limit 1) = %v, total %d, %v; want 1 user of 9", emailsOf(users), total, err)
	}
}
