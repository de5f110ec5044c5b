// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"errors"
	"maps"
	"testing"
	"time"

	"example.com/demo/internal/auth/store"
)

// runLogin adds the sign-in bookkeeping to the suite: the conditional
// RecordLogin, the session cutoff every revoking method sets, and the
// password parameter census.
func (s suite) runLogin(t *testing.T) {
	t.Run("RecordLogin", s.recordLogin)
	t.Run("RecordLoginRehash", s.recordLoginRehash)
	t.Run("RecordLoginStale", s.recordLoginStale)
	t.Run("RecordLoginPasswordless", s.recordLoginPasswordless)
	t.Run("SessionCutoffCoversLastLogin", s.sessionCutoff)
	t.Run("PasswordParams", s.passwordParams)
}

// Two PHC strings with the same parameters and different salts, and one
// with other parameters.
const (
	hashA  = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdEFzYWx0QQ$aGFzaEFoYXNoQWhhc2hBaGFzaEE"
	hashA2 = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdEJzYWx0Qg$aGFzaEJoYXNoQmhhc2hCaGFzaEI"
	hashB  = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdENzYWx0Qw$aGFzaENoYXNoQ2hhc2hDaGFzaEM"
)

func wantStale(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrStale) {
		t.Errorf("%s: err = %v, want store.ErrStale", what, err)
	}
}

func (s suite) recordLogin(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "login@example.com")
	other := mustCreate(t, st, "bystander@example.com")

	at := t0.Add(time.Minute + 654321*time.Microsecond)
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at, PasswordHash: u.PasswordHash}); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	// LastLogin and UpdatedAt move; the hash and the cutoff do not.
	want := *u
	want.LastLogin, want.UpdatedAt = at, at
	checkUser(t, mustUser(t, st, u.ID), &want)
	checkUser(t, mustUser(t, st, other.ID), other)

	// A later sign-in moves LastLogin on.
	later := at.Add(time.Hour)
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: later, PasswordHash: u.PasswordHash}); err != nil {
		t.Fatalf("second RecordLogin: %v", err)
	}
	want.LastLogin, want.UpdatedAt = later, later
	checkUser(t, mustUser(t, st, u.ID), &want)

	// A sign-in dated earlier (a replica whose clock is behind) does not
	// move LastLogin back: a revocation must still cover the later session.
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: later.Add(-time.Second), PasswordHash: u.PasswordHash}); err != nil {
		t.Fatalf("earlier RecordLogin: %v", err)
	}
	if got := mustUser(t, st, u.ID).LastLogin; !got.Equal(later) {
		t.Errorf("LastLogin moved back to %v, want %v", got, later)
	}

	for _, id := range []string{"missing", "0123456789abcdef0123456789abcdef", "507f1f77bcf86cd799439011", ""} {
		wantNotFound(t, "RecordLogin(unknown id "+id+")",
			st.RecordLogin(ctx, id, store.LoginRecord{At: at, PasswordHash: u.PasswordHash}))
	}
}

func (s suite) recordLoginRehash(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := newUser("rehash@example.com")
	u.PasswordHash = hashB
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// A cutoff before the sign-in must stay where it is: rehashing keeps
	// the password, so it revokes nothing.
	revoked, err := st.RevokeSessions(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}

	at := t0.Add(time.Minute)
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at, PasswordHash: hashB, Rehash: hashA}); err != nil {
		t.Fatalf("RecordLogin with Rehash: %v", err)
	}
	want := *revoked
	want.PasswordHash, want.LastLogin, want.UpdatedAt = hashA, at, at
	checkUser(t, mustUser(t, st, u.ID), &want)

	// The old hash no longer counts; the new one does.
	wantStale(t, "RecordLogin with the hash a rehash replaced",
		st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at.Add(time.Minute), PasswordHash: hashB}))
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at.Add(time.Minute), PasswordHash: hashA}); err != nil {
		t.Errorf("RecordLogin with the rehashed hash: %v", err)
	}
}

// recordLoginPasswordless: a sign-in that checked no password (through a
// provider) is recorded with PasswordHash "" while the account has none,
// and is stale once a password was set meanwhile.
func (s suite) recordLoginPasswordless(t *testing.T) {
	ctx := t.Context()
	st := s.store(t)
	u := &store.User{Email: "no-password@example.com", IsActive: true, IsVerified: true, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: t0.Add(time.Minute)}); err != nil {
		t.Fatalf("RecordLogin of a password-less account: %v", err)
	}
	if _, err := st.SetPassword(ctx, u.ID, hashA, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantStale(t, "RecordLogin without a password after one was set", st.RecordLogin(ctx, u.ID, store.LoginRecord{At: t0.Add(3 * time.Minute)}))
}

func (s suite) recordLoginStale(t *testing.T) {
	ctx := t.Context()
	// Each case changes the account the way a concurrent request would
	// while the password was being checked, then tries to record a
	// sign-in with the hash read before the change. Nothing may change.
	cases := []struct {
		name   string
		change func(st store.Store, u *store.User) error
		// at is the sign-in time offered to RecordLogin.
		at time.Time
	}{
		{"PasswordChanged", func(st store.Store, u *store.User) error {
			_, err := st.SetPassword(ctx, u.ID, hashA2, t0)
			return err
		}, t0.Add(time.Hour)},
		{"PasswordRemoved", func(st store.Store, u *store.User) error {
			_, err := st.SetPassword(ctx, u.ID, "", t0)
			return err
		}, t0.Add(time.Hour)},
		{"Disabled", func(st store.Store, u *store.User) error {
			_, err := st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(false)}, t0)
			return err
		}, t0.Add(time.Hour)},
		// A cutoff at or after the sign-in revokes it, even with the
		// password unchanged.
		{"CutoffEqualsAt", func(st store.Store, u *store.User) error {
			_, err := st.RevokeSessions(ctx, u.ID, t0.Add(time.Minute))
			return err
		}, t0.Add(time.Minute)},
		{"CutoffAfterAt", func(st store.Store, u *store.User) error {
			_, err := st.RevokeSessions(ctx, u.ID, t0.Add(time.Minute))
			return err
		}, t0.Add(time.Minute - time.Microsecond)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := s.store(t)
			u := newUser("stale@example.com")
			u.PasswordHash = hashA
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: t0.Add(-time.Hour), PasswordHash: hashA}); err != nil {
				t.Fatalf("first RecordLogin: %v", err)
			}
			if err := c.change(st, u); err != nil {
				t.Fatalf("change: %v", err)
			}
			before := mustUser(t, st, u.ID)
			wantStale(t, "RecordLogin", st.RecordLogin(ctx, u.ID, store.LoginRecord{At: c.at, PasswordHash: hashA}))
			wantStale(t, "RecordLogin with Rehash", st.RecordLogin(ctx, u.ID, store.LoginRecord{At: c.at, PasswordHash: hashA, Rehash: hashB}))
			checkUser(t, mustUser(t, st, u.ID), before)
		})
	}

	// A sign-in a microsecond after a cutoff counts.
	t.Run("AfterCutoff", func(t *testing.T) {
		st := s.store(t)
		u := mustCreate(t, st, "after@example.com")
		cut, err := st.RevokeSessions(ctx, u.ID, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		at := cut.TokensInvalidatedAfter.Add(time.Microsecond)
		if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at, PasswordHash: u.PasswordHash}); err != nil {
			t.Errorf("RecordLogin just after the cutoff: %v", err)
		}
		checkTime(t, "LastLogin", mustUser(t, st, u.ID).LastLogin, at)
	})
}

// Every method that revokes sessions sets the cutoff to the latest of now,
// LastLogin and the stored cutoff, so a sign-in recorded with a clock ahead
// of the revoking request's is revoked too, and a revocation with a clock
// behind an earlier one's does not move the cutoff back.
func (s suite) sessionCutoff(t *testing.T) {
	ctx := t.Context()
	ops := []struct {
		name string
		run  func(st store.Store, u *store.User, now time.Time) (*store.User, error)
	}{
		{"SetPassword", func(st store.Store, u *store.User, now time.Time) (*store.User, error) {
			return st.SetPassword(ctx, u.ID, hashA2, now)
		}},
		{"SetEmail", func(st store.Store, u *store.User, now time.Time) (*store.User, error) {
			return st.SetEmail(ctx, u.ID, "moved-"+u.Email, now)
		}},
		{"UpdateUserDisable", func(st store.Store, u *store.User, now time.Time) (*store.User, error) {
			return st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(false)}, now)
		}},
		{"RevokeSessions", func(st store.Store, u *store.User, now time.Time) (*store.User, error) {
			return st.RevokeSessions(ctx, u.ID, now)
		}},
	}
	login := t0.Add(5 * time.Second)
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			st := s.store(t)
			u := mustCreate(t, st, "cutoff@example.com")
			if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: login, PasswordHash: u.PasswordHash}); err != nil {
				t.Fatalf("RecordLogin: %v", err)
			}

			// now before LastLogin: the cutoff is LastLogin.
			got, err := op.run(st, u, t0)
			if err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
			checkTime(t, op.name+" result TokensInvalidatedAfter", got.TokensInvalidatedAfter, login)
			stored := mustUser(t, st, u.ID)
			checkTime(t, "stored TokensInvalidatedAfter", stored.TokensInvalidatedAfter, login)
			checkTime(t, "LastLogin", stored.LastLogin, login)

			// now after LastLogin: the cutoff is now.
			now := login.Add(time.Minute)
			got, err = op.run(st, u, now)
			if err != nil {
				t.Fatalf("%s (later): %v", op.name, err)
			}
			checkTime(t, op.name+" (later) TokensInvalidatedAfter", got.TokensInvalidatedAfter, now)

			// now before the stored cutoff (a replica whose clock is
			// behind): the cutoff stays where it is.
			got, err = op.run(st, u, login.Add(time.Second))
			if err != nil {
				t.Fatalf("%s (clock behind): %v", op.name, err)
			}
			checkTime(t, op.name+" (clock behind) TokensInvalidatedAfter", got.TokensInvalidatedAfter, now)
		})
	}
}

func (s suite) passwordParams(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	got, err := st.PasswordParams(ctx)
	if err != nil {
		t.Fatalf("PasswordParams on an empty store: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("PasswordParams on an empty store = %v, want none", got)
	}

	for i, hash := range []string{hashA, hashA2, hashB, hashA, ""} {
		u := newUser(string(rune('a'+i)) + "@example.com")
		u.PasswordHash = hash
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
	}
	got, err = st.PasswordParams(ctx)
	if err != nil {
		t.Fatalf("PasswordParams: %v", err)
	}
	// The salt and hash are not part of the key; the password-less user
	// is not counted.
	want := map[string]int{
		"$argon2id$v=19$m=65536,t=3,p=4": 3,
		"$argon2id$v=19$m=19456,t=2,p=1": 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("PasswordParams = %v, want %v", got, want)
	}
}
