// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"example.com/demo/internal/auth/store"
)

// runMFA adds the methods of store.MFACodes (the SMS second factor) to the
// suite: one test per clause of their contract, the races included.
func (s suite) runMFA(t *testing.T) {
	t.Run("MFACodePutAndReplace", s.mfaPut)
	t.Run("MFACodeCooldown", s.mfaCooldown)
	t.Run("MFACodeCooldownConcurrent", s.mfaCooldownConcurrent)
	t.Run("ReserveMFAAttempt", s.reserveMFAAttempt)
	t.Run("ReserveMFAAttemptExpired", s.reserveMFAAttemptExpired)
	t.Run("ReserveMFAAttemptConcurrent", s.reserveMFAAttemptConcurrent)
	t.Run("DeleteMFACode", s.deleteMFACode)
	t.Run("DeleteMFACodeConcurrent", s.deleteMFACodeConcurrent)
	t.Run("EnableDisableMFA", s.enableDisableMFA)
	t.Run("DisableMFARevokesSessions", s.disableMFARevokes)
	t.Run("MFACodesDeleteUser", s.mfaDeleteUser)
	t.Run("MFACodesPurgeExpired", s.mfaPurgeExpired)
}

// mfaCode returns a code of kind for u issued with pendingID at created,
// live for five minutes and good for five checks.
func mfaCode(u *store.User, kind, pendingID string, created time.Time) *store.MFACode {
	return &store.MFACode{
		UserID:      u.ID,
		Kind:        kind,
		CodeHash:    "hash-of-" + pendingID,
		PendingID:   pendingID,
		Phone:       "+15555550100",
		MaxAttempts: 5,
		CreatedAt:   created,
		ExpiresAt:   created.Add(5 * time.Minute),
	}
}

func mustPutCode(t *testing.T, st store.Store, c *store.MFACode) {
	t.Helper()
	if _, err := st.PutMFACode(t.Context(), c, time.Time{}); err != nil {
		t.Fatalf("PutMFACode(%s %s): %v", c.Kind, c.PendingID, err)
	}
}

// peekCode returns the user's stored code of kind without changing it: a
// PutMFACode whose cooldown every real code is inside returns the code it
// keeps. The interface has no plain read, because the account system
// never needs one.
func peekCode(t *testing.T, st store.Store, userID, kind string) *store.MFACode {
	t.Helper()
	probe := &store.MFACode{
		UserID: userID, Kind: kind, CodeHash: "probe", PendingID: "probe", Phone: "+15555550199",
		MaxAttempts: 1, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute),
	}
	got, err := st.PutMFACode(t.Context(), probe, time.Unix(1, 0))
	if !errors.Is(err, store.ErrCooldown) {
		t.Fatalf("peek at the %s code of %s: PutMFACode err = %v, want store.ErrCooldown (is there a code?)", kind, userID, err)
	}
	return got
}

func checkCode(t *testing.T, what string, got, want *store.MFACode) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no code, want %+v", what, want)
		return
	}
	type plain struct {
		UserID, Kind, CodeHash, PendingID, Phone string
		Attempts, MaxAttempts                    int
	}
	flat := func(c *store.MFACode) plain {
		return plain{c.UserID, c.Kind, c.CodeHash, c.PendingID, c.Phone, c.Attempts, c.MaxAttempts}
	}
	if g, w := flat(got), flat(want); g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	checkTime(t, what+" CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+" ExpiresAt", got.ExpiresAt, want.ExpiresAt)
}

// withAttempts is c as stored after n counted checks.
func withAttempts(c *store.MFACode, n int) *store.MFACode {
	cp := *c
	cp.Attempts = n
	return &cp
}

// wantNoCode requires that the user has no code of kind issued with
// pendingID (ReserveMFAAttempt answers store.ErrNotFound, changing
// nothing).
func wantNoCode(t *testing.T, st store.Store, what, userID, kind, pendingID string, now time.Time) {
	t.Helper()
	_, _, err := st.ReserveMFAAttempt(t.Context(), userID, kind, pendingID, now)
	wantNotFound(t, what, err)
}

func (s suite) mfaPut(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "put@example.com")
	other := mustCreate(t, st, "put-other@example.com")

	setup := mfaCode(u, store.MFAKindPhoneSetup, "p1", t0)
	got, err := st.PutMFACode(ctx, setup, time.Time{})
	if err != nil {
		t.Fatalf("PutMFACode: %v", err)
	}
	checkCode(t, "PutMFACode result", got, setup)
	checkCode(t, "stored code", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), setup)

	// Codes of the other kind, and other users' codes, are separate.
	login := mfaCode(u, store.MFAKindLogin, "p2", t0)
	mustPutCode(t, st, login)
	theirs := mfaCode(other, store.MFAKindPhoneSetup, "p3", t0)
	mustPutCode(t, st, theirs)
	checkCode(t, "phone setup code beside a login code", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), setup)
	checkCode(t, "login code", peekCode(t, st, u.ID, store.MFAKindLogin), login)
	checkCode(t, "other user's code", peekCode(t, st, other.ID, store.MFAKindPhoneSetup), theirs)

	// A new code replaces the user's code of its kind, counted checks and
	// all; the old one is gone with its pending id.
	now := t0.Add(time.Minute)
	if _, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindPhoneSetup, "p1", now); err != nil || !reserved {
		t.Fatalf("ReserveMFAAttempt = %v, %v; want reserved", reserved, err)
	}
	next := mfaCode(u, store.MFAKindPhoneSetup, "p4", now)
	next.Phone, next.MaxAttempts = "+15555550111", 3
	mustPutCode(t, st, next)
	checkCode(t, "replaced code", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), next)
	wantNoCode(t, st, "ReserveMFAAttempt with the replaced code's pending id", u.ID, store.MFAKindPhoneSetup, "p1", now)
	checkCode(t, "login code after replacing the setup code", peekCode(t, st, u.ID, store.MFAKindLogin), login)
	checkCode(t, "other user's code after replacing", peekCode(t, st, other.ID, store.MFAKindPhoneSetup), theirs)
}

func (s suite) mfaCooldown(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "cooldown@example.com")
	first := mfaCode(u, store.MFAKindLogin, "c1", t0)
	mustPutCode(t, st, first)

	// Created after notBefore: kept, and returned with ErrCooldown.
	later := t0.Add(30 * time.Second)
	got, err := st.PutMFACode(ctx, mfaCode(u, store.MFAKindLogin, "c2", later), later.Add(-time.Minute))
	if !errors.Is(err, store.ErrCooldown) {
		t.Fatalf("PutMFACode inside the cooldown: err = %v, want store.ErrCooldown", err)
	}
	checkCode(t, "code returned with ErrCooldown", got, first)
	checkCode(t, "stored code after the cooldown refused", peekCode(t, st, u.ID, store.MFAKindLogin), first)
	wantNoCode(t, st, "the refused code's pending id", u.ID, store.MFAKindLogin, "c2", later)

	// Created exactly at notBefore: replaced.
	second := mfaCode(u, store.MFAKindLogin, "c3", t0.Add(time.Minute))
	if _, err := st.PutMFACode(ctx, second, t0); err != nil {
		t.Fatalf("PutMFACode with notBefore at the old code's creation: %v", err)
	}
	checkCode(t, "code replaced at the cooldown's end", peekCode(t, st, u.ID, store.MFAKindLogin), second)

	// A zero notBefore never refuses, however fresh the code.
	third := mfaCode(u, store.MFAKindLogin, "c4", second.CreatedAt)
	if _, err := st.PutMFACode(ctx, third, time.Time{}); err != nil {
		t.Fatalf("PutMFACode with a zero notBefore: %v", err)
	}
	checkCode(t, "code after a zero notBefore", peekCode(t, st, u.ID, store.MFAKindLogin), third)

	// Nothing to keep: the cooldown refuses nothing.
	setup := mfaCode(u, store.MFAKindPhoneSetup, "c5", t0.Add(time.Hour))
	if _, err := st.PutMFACode(ctx, setup, t0.Add(time.Hour)); err != nil {
		t.Fatalf("PutMFACode of a first code with a cooldown: %v", err)
	}
	checkCode(t, "first code of a kind", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), setup)
}

// Of concurrent PutMFACode calls that may each replace an old code, the
// first to do so starts a cooldown the others are inside: exactly one
// succeeds, and the others get its code.
func (s suite) mfaCooldownConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "cooldown-race@example.com")
	mustPutCode(t, st, mfaCode(u, store.MFAKindLogin, "old", t0))
	at := t0.Add(2 * time.Minute)
	notBefore := at.Add(-time.Minute)

	kept := make([]*store.MFACode, concurrency)
	errs := race(func(i int) error {
		var err error
		kept[i], err = st.PutMFACode(ctx, mfaCode(u, store.MFAKindLogin, fmt.Sprintf("race-%d", i), at), notBefore)
		return err
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("PutMFACode succeeded for goroutines %d and %d, want one", winner, i)
			}
			winner = i
		case !errors.Is(err, store.ErrCooldown):
			t.Errorf("PutMFACode (goroutine %d): err = %v, want nil or store.ErrCooldown", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no concurrent PutMFACode succeeded")
	}
	want := mfaCode(u, store.MFAKindLogin, fmt.Sprintf("race-%d", winner), at)
	for i, err := range errs {
		if errors.Is(err, store.ErrCooldown) {
			checkCode(t, fmt.Sprintf("code returned to goroutine %d", i), kept[i], want)
		}
	}
	checkCode(t, "stored code after the race", peekCode(t, st, u.ID, store.MFAKindLogin), want)
}

func (s suite) reserveMFAAttempt(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "reserve@example.com")
	c := mfaCode(u, store.MFAKindLogin, "r1", t0)
	c.MaxAttempts = 3
	mustPutCode(t, st, c)
	now := t0.Add(time.Minute)

	// Each check is counted and the code comes back as it is after it.
	for n := 1; n <= 3; n++ {
		got, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, "r1", now)
		if err != nil || !reserved {
			t.Fatalf("check %d: ReserveMFAAttempt = %v, %v; want reserved", n, reserved, err)
		}
		checkCode(t, fmt.Sprintf("code after check %d", n), got, withAttempts(c, n))
	}
	// Exhausted: nothing changes, and the stored code says why.
	for range 2 {
		got, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, "r1", now)
		if err != nil || reserved {
			t.Fatalf("check past the limit: ReserveMFAAttempt = %v, %v; want not reserved, no error", reserved, err)
		}
		checkCode(t, "exhausted code", got, withAttempts(c, 3))
	}
	checkCode(t, "stored exhausted code", peekCode(t, st, u.ID, store.MFAKindLogin), withAttempts(c, 3))

	// A code issued with another pending id, of another kind or of another
	// user is not found, and nothing is counted.
	v := mustCreate(t, st, "reserve-other@example.com")
	fresh := mfaCode(v, store.MFAKindLogin, "r2", t0)
	mustPutCode(t, st, fresh)
	wantNoCode(t, st, "ReserveMFAAttempt with another pending id", v.ID, store.MFAKindLogin, "r1", now)
	wantNoCode(t, st, "ReserveMFAAttempt of another kind", v.ID, store.MFAKindPhoneSetup, "r2", now)
	wantNoCode(t, st, "ReserveMFAAttempt of another user's code", u.ID, store.MFAKindLogin, "r2", now)
	for _, id := range []string{"no-such-user", "507f1f77bcf86cd799439011", ""} {
		wantNoCode(t, st, "ReserveMFAAttempt of unknown user "+id, id, store.MFAKindLogin, "r2", now)
	}
	checkCode(t, "code after lookups that found nothing", peekCode(t, st, v.ID, store.MFAKindLogin), fresh)
}

func (s suite) reserveMFAAttemptExpired(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "expired@example.com")
	c := mfaCode(u, store.MFAKindPhoneSetup, "e1", t0)
	mustPutCode(t, st, c)

	// Live up to the microsecond before ExpiresAt.
	got, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindPhoneSetup, "e1", c.ExpiresAt.Add(-time.Microsecond))
	if err != nil || !reserved {
		t.Fatalf("ReserveMFAAttempt just before expiry = %v, %v; want reserved", reserved, err)
	}
	checkCode(t, "code checked just before expiry", got, withAttempts(c, 1))
	// Expired at ExpiresAt: the stored code comes back, uncounted.
	for _, now := range []time.Time{c.ExpiresAt, c.ExpiresAt.Add(time.Hour)} {
		got, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindPhoneSetup, "e1", now)
		if err != nil || reserved {
			t.Fatalf("ReserveMFAAttempt at %v = %v, %v; want not reserved, no error", now, reserved, err)
		}
		checkCode(t, "expired code", got, withAttempts(c, 1))
	}
	checkCode(t, "stored expired code", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), withAttempts(c, 1))
}

// Counting before comparing bounds the guesses: concurrent checks against
// a code with k checks left reserve exactly k, each seeing its own count.
func (s suite) reserveMFAAttemptConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "guesses@example.com")
	c := mfaCode(u, store.MFAKindLogin, "g1", t0)
	now := t0.Add(time.Minute)
	mustPutCode(t, st, c)
	for range 2 {
		if _, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, "g1", now); err != nil || !reserved {
			t.Fatalf("ReserveMFAAttempt = %v, %v; want reserved", reserved, err)
		}
	}
	const left = 3 // of MaxAttempts 5

	counts := make([]int, concurrency)
	won := make([]bool, concurrency)
	for i, err := range race(func(i int) error {
		got, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, "g1", now)
		if err == nil {
			counts[i], won[i] = got.Attempts, reserved
		}
		return err
	}) {
		if err != nil {
			t.Fatalf("ReserveMFAAttempt (goroutine %d): %v", i, err)
		}
	}
	var reservedCounts []int
	for i := range concurrency {
		switch {
		case won[i]:
			reservedCounts = append(reservedCounts, counts[i])
		case counts[i] != c.MaxAttempts:
			t.Errorf("goroutine %d not reserved with Attempts = %d, want the exhausted %d", i, counts[i], c.MaxAttempts)
		}
	}
	sort.Ints(reservedCounts)
	if want := []int{3, 4, 5}; fmt.Sprint(reservedCounts) != fmt.Sprint(want) {
		t.Errorf("%d concurrent checks reserved counts %v, want exactly %d: %v", concurrency, reservedCounts, left, want)
	}
	checkCode(t, "code after the race", peekCode(t, st, u.ID, store.MFAKindLogin), withAttempts(c, 5))
}

func (s suite) deleteMFACode(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "delete-code@example.com")
	now := t0.Add(time.Minute)
	setup := mfaCode(u, store.MFAKindPhoneSetup, "d1", t0)
	login := mfaCode(u, store.MFAKindLogin, "d2", t0)
	mustPutCode(t, st, setup)
	mustPutCode(t, st, login)

	// Only the code issued with that pending id, of that kind, goes.
	wantNotFound(t, "DeleteMFACode with another pending id", st.DeleteMFACode(ctx, u.ID, store.MFAKindPhoneSetup, "d2"))
	wantNotFound(t, "DeleteMFACode of another user", st.DeleteMFACode(ctx, "no-such-user", store.MFAKindPhoneSetup, "d1"))
	checkCode(t, "code after deletes that matched nothing", peekCode(t, st, u.ID, store.MFAKindPhoneSetup), setup)
	if err := st.DeleteMFACode(ctx, u.ID, store.MFAKindPhoneSetup, "d1"); err != nil {
		t.Fatalf("DeleteMFACode: %v", err)
	}
	wantNoCode(t, st, "deleted code", u.ID, store.MFAKindPhoneSetup, "d1", now)
	wantNotFound(t, "DeleteMFACode twice", st.DeleteMFACode(ctx, u.ID, store.MFAKindPhoneSetup, "d1"))
	checkCode(t, "other kind's code", peekCode(t, st, u.ID, store.MFAKindLogin), login)

	// A replaced code cannot be deleted by its old pending id; the new
	// one stays.
	next := mfaCode(u, store.MFAKindLogin, "d3", now)
	mustPutCode(t, st, next)
	wantNotFound(t, "DeleteMFACode of a replaced code", st.DeleteMFACode(ctx, u.ID, store.MFAKindLogin, "d2"))
	checkCode(t, "code that replaced it", peekCode(t, st, u.ID, store.MFAKindLogin), next)
}

// A right code is deleted to be used: of concurrent deletes exactly one
// wins, so the code completes one sign-in.
func (s suite) deleteMFACodeConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "delete-race@example.com")
	mustPutCode(t, st, mfaCode(u, store.MFAKindLogin, "once", t0))
	exactlyOneWinner(t, race(func(int) error {
		return st.DeleteMFACode(ctx, u.ID, store.MFAKindLogin, "once")
	}))
}

func (s suite) enableDisableMFA(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "mfa@example.com")
	other := mustCreate(t, st, "mfa-other@example.com")
	theirs := mfaCode(other, store.MFAKindPhoneSetup, "o1", t0)
	mustPutCode(t, st, theirs)
	now := t0.Add(time.Hour)

	mustPutCode(t, st, mfaCode(u, store.MFAKindPhoneSetup, "s1", t0))
	mustPutCode(t, st, mfaCode(u, store.MFAKindLogin, "l1", t0))
	got, err := st.EnableMFA(ctx, u.ID, "+15555550123", now)
	if err != nil {
		t.Fatalf("EnableMFA: %v", err)
	}
	want := *u
	want.PhoneNumber, want.IsMFAEnabled, want.UpdatedAt = "+15555550123", true, now
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	// The codes went with it, so a code sent before cannot be used after.
	wantNoCode(t, st, "setup code after EnableMFA", u.ID, store.MFAKindPhoneSetup, "s1", now)
	wantNoCode(t, st, "login code after EnableMFA", u.ID, store.MFAKindLogin, "l1", now)

	// Disabling without revoking sessions leaves the cutoff alone.
	mustPutCode(t, st, mfaCode(u, store.MFAKindLogin, "l2", now))
	later := now.Add(time.Minute)
	got, err = st.DisableMFA(ctx, u.ID, later, false)
	if err != nil {
		t.Fatalf("DisableMFA: %v", err)
	}
	want.PhoneNumber, want.IsMFAEnabled, want.UpdatedAt = "", false, later
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	wantNoCode(t, st, "login code after DisableMFA", u.ID, store.MFAKindLogin, "l2", later)

	// Disabling a user without MFA is not an error.
	if got, err = st.DisableMFA(ctx, u.ID, later, false); err != nil {
		t.Fatalf("DisableMFA without MFA: %v", err)
	}
	checkUser(t, got, &want)

	checkUser(t, mustUser(t, st, other.ID), other)
	checkCode(t, "other user's code", peekCode(t, st, other.ID, store.MFAKindPhoneSetup), theirs)

	for _, id := range []string{"no-such-user", "507f1f77bcf86cd799439011"} {
		_, err = st.EnableMFA(ctx, id, "+15555550123", now)
		wantNotFound(t, "EnableMFA of unknown id "+id, err)
		_, err = st.DisableMFA(ctx, id, now, true)
		wantNotFound(t, "DisableMFA of unknown id "+id, err)
	}
}

// DisableMFA with revokeSessions revokes like every other revoking method:
// the cutoff is the latest of now, LastLogin and the stored cutoff.
func (s suite) disableMFARevokes(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "mfa-revoke@example.com")
	login := t0.Add(5 * time.Second)
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: login, PasswordHash: u.PasswordHash}); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	for _, step := range []struct {
		name       string
		now, want  time.Time
		enableFrom time.Time
	}{
		{"now before LastLogin", t0, login, t0},
		{"now after LastLogin", login.Add(time.Minute), login.Add(time.Minute), login},
		{"clock behind the stored cutoff", login.Add(time.Second), login.Add(time.Minute), login},
	} {
		if _, err := st.EnableMFA(ctx, u.ID, "+15555550123", step.enableFrom); err != nil {
			t.Fatalf("EnableMFA: %v", err)
		}
		mustPutCode(t, st, mfaCode(u, store.MFAKindLogin, "rv", step.now))
		got, err := st.DisableMFA(ctx, u.ID, step.now, true)
		if err != nil {
			t.Fatalf("%s: DisableMFA: %v", step.name, err)
		}
		if got.IsMFAEnabled || got.PhoneNumber != "" {
			t.Errorf("%s: DisableMFA left IsMFAEnabled %v, PhoneNumber %q", step.name, got.IsMFAEnabled, got.PhoneNumber)
		}
		checkTime(t, step.name+": TokensInvalidatedAfter", got.TokensInvalidatedAfter, step.want)
		checkTime(t, step.name+": stored TokensInvalidatedAfter", mustUser(t, st, u.ID).TokensInvalidatedAfter, step.want)
		checkTime(t, step.name+": LastLogin", got.LastLogin, login)
		wantNoCode(t, st, step.name+": code after DisableMFA", u.ID, store.MFAKindLogin, "rv", step.now)
	}
}

func (s suite) mfaDeleteUser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "gone-codes@example.com")
	keep := mustCreate(t, st, "kept-codes@example.com")
	for _, owner := range []*store.User{u, keep} {
		mustPutCode(t, st, mfaCode(owner, store.MFAKindPhoneSetup, "s-"+owner.ID, t0))
		mustPutCode(t, st, mfaCode(owner, store.MFAKindLogin, "l-"+owner.ID, t0))
	}
	// A check counted against the code leaves nothing behind either.
	if _, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, "l-"+u.ID, t0); err != nil || !reserved {
		t.Fatalf("ReserveMFAAttempt = %v, %v; want reserved", reserved, err)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	wantNoCode(t, st, "setup code after DeleteUser", u.ID, store.MFAKindPhoneSetup, "s-"+u.ID, t0)
	wantNoCode(t, st, "login code after DeleteUser", u.ID, store.MFAKindLogin, "l-"+u.ID, t0)
	checkCode(t, "other user's setup code", peekCode(t, st, keep.ID, store.MFAKindPhoneSetup),
		mfaCode(keep, store.MFAKindPhoneSetup, "s-"+keep.ID, t0))
	checkCode(t, "other user's login code", peekCode(t, st, keep.ID, store.MFAKindLogin),
		mfaCode(keep, store.MFAKindLogin, "l-"+keep.ID, t0))
}

func (s suite) mfaPurgeExpired(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	now := t0.Add(time.Hour)
	window := now.Add(-time.Hour)

	// "dead" expired before now and goes; "edge" expires exactly now and
	// "live" after it, so both stay. Each code belongs to its own user.
	expiries := map[string]time.Time{"dead": now.Add(-time.Microsecond), "edge": now, "live": now.Add(time.Second)}
	codes := map[string]*store.MFACode{}
	for name, exp := range expiries {
		u := mustCreate(t, st, name+"-code@example.com")
		c := mfaCode(u, store.MFAKindLogin, name, exp.Add(-5*time.Minute))
		mustPutCode(t, st, c)
		// A counted check leaves nothing that outlives the purge.
		if _, reserved, err := st.ReserveMFAAttempt(ctx, u.ID, store.MFAKindLogin, name, c.CreatedAt); err != nil || !reserved {
			t.Fatalf("ReserveMFAAttempt = %v, %v; want reserved", reserved, err)
		}
		codes[name] = c
	}

	n, err := st.PurgeExpired(ctx, now, window)
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	if n != 1 {
		t.Errorf("PurgeExpired deleted %d rows, want 1 (the expired code)", n)
	}
	dead := codes["dead"]
	wantNoCode(t, st, "expired code after purge", dead.UserID, dead.Kind, dead.PendingID, dead.CreatedAt)
	for _, name := range []string{"edge", "live"} {
		c := codes[name]
		checkCode(t, name+" code after purge", peekCode(t, st, c.UserID, c.Kind), withAttempts(c, 1))
	}
	if n, err := st.PurgeExpired(ctx, now, window); err != nil || n != 0 {
		t.Errorf("second PurgeExpired = %d, %v; want 0", n, err)
	}
}
