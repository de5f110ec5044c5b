// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package storetest is the conformance suite every store.Store
// implementation must pass. A backend's own test calls Run with a function
// that opens a fresh, empty store; the suite then checks the behaviour the
// account system relies on, including the atomicity promises under
// concurrent callers.
package storetest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"example.com/demo/internal/auth/store"
)

// purposeOther is a second kind of one-time link beside
// store.PurposeEmailChange. A store keeps purposes as given, so the suite
// needs no second real one to check that tokens of one purpose leave the
// other's alone.
const purposeOther = "other"

// concurrency is how many goroutines race in the atomicity tests.
const concurrency = 20

// t0 is the suite's fixed "now": microsecond-exact, as stored times are.
var t0 = time.Date(2030, time.March, 4, 5, 6, 7, 123456000, time.UTC)

type suite struct {
	open func(t *testing.T) store.Store
}

func (s suite) store(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

func ptr(s string) *string { return &s }

// newUser returns a valid user for email, created at t0.
func newUser(email string) *store.User {
	return &store.User{
		Email:        email,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		IsActive:     true,
		CreatedAt:    t0,
		UpdatedAt:    t0,
	}
}

func mustCreate(t *testing.T, st store.Store, email string) *store.User {
	t.Helper()
	u := newUser(email)
	if err := st.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func mustUser(t *testing.T, st store.Store, id string) *store.User {
	t.Helper()
	u, err := st.UserByID(t.Context(), id)
	if err != nil {
		t.Fatalf("UserByID(%s): %v", id, err)
	}
	return u
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}

// userTokens are live account tokens of one user (one of each purpose) and
// of a bystander, made by mustTokens.
type userTokens struct {
	mine  []*store.AccountToken
	other *store.AccountToken
}

// mustTokens gives u an email-change token and one of purposeOther, and
// other a token of purposeOther, all live for an hour from t0.
func mustTokens(t *testing.T, st store.Store, u, other *store.User) userTokens {
	t.Helper()
	mk := func(owner *store.User, purpose string) *store.AccountToken {
		tok := &store.AccountToken{
			TokenHash: purpose + "-" + owner.ID, UserID: owner.ID, Purpose: purpose, Email: owner.Email,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		}
		if purpose == store.PurposeEmailChange {
			tok.NewEmail = "next-" + owner.Email
		}
		if err := st.CreateAccountToken(t.Context(), tok); err != nil {
			t.Fatalf("CreateAccountToken(%s): %v", tok.TokenHash, err)
		}
		return tok
	}
	return userTokens{
		mine:  []*store.AccountToken{mk(u, store.PurposeEmailChange), mk(u, purposeOther)},
		other: mk(other, purposeOther),
	}
}

// check requires the user's tokens to be gone after op and the
// bystander's to still work.
func (ut userTokens) check(t *testing.T, st store.Store, op string, now time.Time) {
	t.Helper()
	for _, tok := range ut.mine {
		_, err := st.ConsumeAccountToken(t.Context(), tok.TokenHash, tok.Purpose, now)
		wantNotFound(t, fmt.Sprintf("the user's %s token after %s", tok.Purpose, op), err)
	}
	if _, err := st.ConsumeAccountToken(t.Context(), ut.other.TokenHash, ut.other.Purpose, now); err != nil {
		t.Errorf("another user's token after %s: %v", op, err)
	}
}

// checkTime compares a stored time: equal instant, and in UTC unless zero.
func checkTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
	if !got.IsZero() && got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", field, got.Location())
	}
}

func checkUser(t *testing.T, got, want *store.User) {
	t.Helper()
	type plain struct {
		ID, Email, PasswordHash, FullName, PhoneNumber               string
		IsActive, IsVerified, IsSuperuser, IsMFAEnabled, HasFullName bool
	}
	flat := func(u *store.User) plain {
		p := plain{
			ID: u.ID, Email: u.Email, PasswordHash: u.PasswordHash, PhoneNumber: u.PhoneNumber,
			IsActive: u.IsActive, IsVerified: u.IsVerified, IsSuperuser: u.IsSuperuser,
			IsMFAEnabled: u.IsMFAEnabled, HasFullName: u.FullName != nil,
		}
		if u.FullName != nil {
			p.FullName = *u.FullName
		}
		return p
	}
	if g, w := flat(got), flat(want); g != w {
		t.Errorf("user fields:\n got %+v\nwant %+v", g, w)
	}
	checkTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	checkTime(t, "LastLogin", got.LastLogin, want.LastLogin)
	checkTime(t, "TokensInvalidatedAfter", got.TokensInvalidatedAfter, want.TokensInvalidatedAfter)
}

func (s suite) ping(t *testing.T) {
	st := s.store(t)
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func (s suite) userRoundTrip(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()

	full := &store.User{
		Email:                  "Full.User@example.com",
		PasswordHash:           "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
		IsActive:               true,
		IsVerified:             true,
		IsSuperuser:            true,
		FullName:               ptr("Ada Lovelace"),
		PhoneNumber:            "+15555550123",
		IsMFAEnabled:           true,
		CreatedAt:              t0,
		UpdatedAt:              t0.Add(time.Second),
		LastLogin:              t0.Add(2 * time.Second),
		TokensInvalidatedAfter: t0.Add(3 * time.Second),
	}
	if err := st.CreateUser(ctx, full); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	// The id's form is the backend's (UUID hex on SQL, ObjectID on
	// MongoDB); it must be assigned and URL-safe, since it appears in URL
	// paths and token subjects.
	if full.ID == "" || strings.Trim(full.ID, "0123456789abcdef") != "" {
		t.Errorf("assigned ID = %q, want lowercase hex digits", full.ID)
	}
	checkUser(t, mustUser(t, st, full.ID), full)

	// The "never"/"not set" values: no password, no name, zero times.
	bare := &store.User{Email: "bare@example.com", CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateUser(ctx, bare); err != nil {
		t.Fatalf("CreateUser(bare): %v", err)
	}
	got := mustUser(t, st, bare.ID)
	checkUser(t, got, bare)
	if got.HasPassword() {
		t.Error("password-less user: HasPassword() = true")
	}
	if bare.ID == full.ID {
		t.Error("two users got the same ID")
	}

	// A caller-chosen ID is kept.
	chosen := newUser("chosen@example.com")
	chosen.ID = "0123456789abcdef0123456789abcdef"
	if err := st.CreateUser(ctx, chosen); err != nil {
		t.Fatalf("CreateUser(chosen id): %v", err)
	}
	checkUser(t, mustUser(t, st, chosen.ID), chosen)
}

func (s suite) timePrecision(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "time@example.com")

	// Bulk revocation compares a token's iat with this cutoff, so it must
	// come back to the exact microsecond, whatever zone it was given in.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	cutoff := time.Date(2031, time.December, 31, 23, 59, 59, 999999000, time.UTC)
	got, err := st.SetPassword(ctx, u.ID, "$argon2id$new", cutoff.In(zone))
	if err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	checkTime(t, "SetPassword result TokensInvalidatedAfter", got.TokensInvalidatedAfter, cutoff)
	checkTime(t, "stored TokensInvalidatedAfter", mustUser(t, st, u.ID).TokensInvalidatedAfter, cutoff)

	// Sub-microsecond digits are truncated, never rounded up: a cutoff
	// later than the instant it was taken would revoke a token issued in
	// that microsecond's future.
	withNanos := time.Date(2032, time.January, 1, 0, 0, 0, 123456999, time.UTC)
	got, err = st.SetPassword(ctx, u.ID, "$argon2id$newer", withNanos)
	if err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	checkTime(t, "nanosecond input", got.TokensInvalidatedAfter, withNanos.Truncate(time.Microsecond))
}

func (s suite) emailUnique(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	mustCreate(t, st, "Alice@Example.com")
	for _, email := range []string{"Alice@Example.com", "alice@example.com", "ALICE@EXAMPLE.COM"} {
		if err := st.CreateUser(ctx, newUser(email)); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("CreateUser(%s) after Alice@Example.com: err = %v, want store.ErrEmailTaken", email, err)
		}
	}
	if err := st.CreateUser(ctx, newUser("alice2@example.com")); err != nil {
		t.Errorf("CreateUser(alice2@example.com): %v", err)
	}
}

// Unicode forms of one address, compared by store.EmailKey.
const (
	ostenComposed   = "\u00d6sten@x.org"  // "Östen@x.org", Ö as one code point
	ostenLower      = "\u00f6sten@x.org"  // "östen@x.org"
	ostenDecomposed = "O\u0308sten@x.org" // O followed by a combining diaeresis
	ostenDecompLow  = "o\u0308sten@X.ORG" // o + diaeresis, upper-case domain
)

func (s suite) emailKeyUnicode(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()

	// Composed first, then every other form is the same account.
	u := mustCreate(t, st, ostenComposed)
	for _, email := range []string{ostenComposed, ostenLower, ostenDecomposed, ostenDecompLow, "\u00d6STEN@X.ORG"} {
		if err := st.CreateUser(ctx, newUser(email)); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("CreateUser(%+q) after %+q: err = %v, want store.ErrEmailTaken", email, ostenComposed, err)
		}
		got, err := st.UserByEmail(ctx, email)
		if err != nil {
			t.Errorf("UserByEmail(%+q): %v", email, err)
			continue
		}
		// The address is stored as given, not as its key.
		if got.ID != u.ID || got.Email != ostenComposed {
			t.Errorf("UserByEmail(%+q) = %s %+q, want %s %+q", email, got.ID, got.Email, u.ID, ostenComposed)
		}
	}

	// A letter with a combining mark that has no composed form (J + tilde)
	// is still folded.
	d := mustCreate(t, st, "J\u0303ose@x.org")
	if got, err := st.UserByEmail(ctx, "j\u0303OSE@x.org"); err != nil || got.ID != d.ID {
		t.Errorf("UserByEmail(J + combining tilde, other case) = %v, %v; want %s", got, err, d.ID)
	}
	// Decomposed first (e + combining acute): the composed forms are taken
	// and find it.
	e := mustCreate(t, st, "Re\u0301my@x.org")
	for _, email := range []string{"R\u00e9my@x.org", "R\u00c9MY@x.org"} {
		if err := st.CreateUser(ctx, newUser(email)); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("CreateUser(%+q) after its decomposed form: err = %v, want store.ErrEmailTaken", email, err)
		}
		if got, err := st.UserByEmail(ctx, email); err != nil || got.ID != e.ID {
			t.Errorf("UserByEmail(%+q) = %v, %v; want %s", email, got, err, e.ID)
		}
	}

	// The key folds case and normal form, nothing more: accents and
	// special letters still tell addresses apart, whatever a backend's
	// collation could be told to ignore.
	for _, email := range []string{"osten@x.org", "\u00f8sten@x.org", "strasse@x.org", "stra\u00dfe@x.org"} {
		if err := st.CreateUser(ctx, newUser(email)); err != nil {
			t.Errorf("CreateUser(%+q) beside %+q: %v", email, ostenComposed, err)
		}
	}
	if got, err := st.UserByEmail(ctx, "OSTEN@x.org"); err != nil || got.Email != "osten@x.org" {
		t.Errorf("UserByEmail(OSTEN@x.org) = %v, %v; want osten@x.org", got, err)
	}

	// Moving another account onto any form of a taken address is refused.
	other := mustCreate(t, st, "other@x.org")
	for _, email := range []string{ostenDecomposed, ostenLower} {
		if _, err := st.SetEmail(ctx, other.ID, email, t0); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("SetEmail(%+q) onto %+q: err = %v, want store.ErrEmailTaken", email, ostenComposed, err)
		}
	}
	// Moving one's own account to another form of its address is not.
	moved, err := st.SetEmail(ctx, u.ID, ostenDecomposed, t0)
	if err != nil {
		t.Fatalf("SetEmail to another form of the own address: %v", err)
	}
	if moved.Email != ostenDecomposed {
		t.Errorf("after SetEmail, Email = %+q, want %+q", moved.Email, ostenDecomposed)
	}
	if got, err := st.UserByEmail(ctx, ostenComposed); err != nil || got.ID != u.ID {
		t.Errorf("UserByEmail(composed) after SetEmail(decomposed) = %v, %v; want %s", got, err, u.ID)
	}
}

func (s suite) userLookups(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "Bob@Example.com")
	for _, email := range []string{"Bob@Example.com", "bob@example.com", "BOB@EXAMPLE.COM"} {
		got, err := st.UserByEmail(ctx, email)
		if err != nil {
			t.Errorf("UserByEmail(%s): %v", email, err)
			continue
		}
		if got.ID != u.ID || got.Email != "Bob@Example.com" {
			t.Errorf("UserByEmail(%s) = %s %s, want %s Bob@Example.com", email, got.ID, got.Email, u.ID)
		}
	}
	_, err := st.UserByEmail(ctx, "nobody@example.com")
	wantNotFound(t, "UserByEmail(unknown)", err)

	for _, id := range []string{"", "nope", strings.Repeat("0", 32), "507f1f77bcf86cd799439011",
		"123e4567-e89b-12d3-a456-426614174000", "' OR '1'='1", u.ID + "x", strings.ToUpper(u.ID)} {
		_, err := st.UserByID(ctx, id)
		wantNotFound(t, fmt.Sprintf("UserByID(%q)", id), err)
	}
}

func (s suite) setFullName(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "name@example.com")
	now := t0.Add(time.Minute)

	got, err := st.SetFullName(ctx, u.ID, ptr("Grace Hopper"), now)
	if err != nil {
		t.Fatalf("SetFullName: %v", err)
	}
	want := *u
	want.FullName, want.UpdatedAt = ptr("Grace Hopper"), now
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)

	got, err = st.SetFullName(ctx, u.ID, nil, now.Add(time.Second))
	if err != nil {
		t.Fatalf("SetFullName(nil): %v", err)
	}
	if got.FullName != nil {
		t.Errorf("after clearing, FullName = %q, want nil", *got.FullName)
	}
	_, err = st.SetFullName(ctx, "missing", ptr("x"), now)
	wantNotFound(t, "SetFullName(unknown id)", err)
}

func (s suite) setPassword(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "pw@example.com")
	other := mustCreate(t, st, "other@example.com")
	tokens := mustTokens(t, st, u, other)

	now := t0.Add(time.Minute)
	got, err := st.SetPassword(ctx, u.ID, "$argon2id$changed", now)
	if err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	want := *u
	want.PasswordHash, want.UpdatedAt, want.TokensInvalidatedAfter = "$argon2id$changed", now, now
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)

	// The user's outstanding tokens died with the old password; another
	// user's did not.
	tokens.check(t, st, "SetPassword", now)

	_, err = st.SetPassword(ctx, "missing", "$argon2id$x", now)
	wantNotFound(t, "SetPassword(unknown id)", err)
}

func (s suite) setEmail(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "old@example.com")
	taken := mustCreate(t, st, "Taken@Example.com")
	tokens := mustTokens(t, st, u, taken)
	now := t0.Add(time.Minute)

	got, err := st.SetEmail(ctx, u.ID, "New@Example.com", now)
	if err != nil {
		t.Fatalf("SetEmail: %v", err)
	}
	want := *u
	want.Email, want.UpdatedAt, want.TokensInvalidatedAfter = "New@Example.com", now, now
	checkUser(t, got, &want)
	// A link mailed to the old address must not work after the move.
	tokens.check(t, st, "SetEmail", now)
	if byEmail, err := st.UserByEmail(ctx, "new@example.com"); err != nil || byEmail.ID != u.ID {
		t.Errorf("UserByEmail(new address) = %v, %v; want the moved user", byEmail, err)
	}
	_, err = st.UserByEmail(ctx, "old@example.com")
	wantNotFound(t, "UserByEmail(old address)", err)

	if _, err := st.SetEmail(ctx, u.ID, "taken@example.com", now); !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("SetEmail to another user's address (other case): err = %v, want store.ErrEmailTaken", err)
	}
	// Changing only the case of one's own address is not a conflict.
	if _, err := st.SetEmail(ctx, u.ID, "new@example.com", now); err != nil {
		t.Errorf("SetEmail to own address in another case: %v", err)
	}
	_, err = st.SetEmail(ctx, "missing", "free@example.com", now)
	wantNotFound(t, "SetEmail(unknown id)", err)
}

func (s suite) markVerifiedAndRecordLogin(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "verify@example.com")
	now := t0.Add(time.Minute)

	got, err := st.MarkVerified(ctx, u.ID, now)
	if err != nil {
		t.Fatalf("MarkVerified: %v", err)
	}
	if !got.IsVerified {
		t.Error("MarkVerified: IsVerified = false")
	}
	checkTime(t, "UpdatedAt after MarkVerified", got.UpdatedAt, now)
	_, err = st.MarkVerified(ctx, "missing", now)
	wantNotFound(t, "MarkVerified(unknown id)", err)

	at := now.Add(time.Minute + 654321*time.Microsecond)
	if err := st.RecordLogin(ctx, u.ID, store.LoginRecord{At: at, PasswordHash: u.PasswordHash}); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	after := mustUser(t, st, u.ID)
	checkTime(t, "LastLogin", after.LastLogin, at)
	if !after.IsVerified {
		t.Error("RecordLogin cleared IsVerified")
	}
}

func (s suite) deleteUser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "G\u00d6NE@Example.com")
	keep := mustCreate(t, st, "keep@example.com")
	now := t0.Add(time.Minute)
	window := t0

	for _, owner := range []*store.User{u, keep} {
		tok := &store.AccountToken{
			TokenHash: "tok-" + owner.ID, UserID: owner.ID, Purpose: store.PurposeEmailChange,
			NewEmail: "next-" + owner.Email, Email: owner.Email, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		}
		if err := st.CreateAccountToken(ctx, tok); err != nil {
			t.Fatalf("CreateAccountToken: %v", err)
		}
		// The pending rows use other forms of the email (lower case,
		// decomposed), so only the key connects them to the account.
		for i, email := range []string{strings.ToLower(owner.Email), norm.NFD.String(strings.ToUpper(owner.Email))} {
			p := &store.PendingRegistration{
				Email: email, PasswordHash: "h", TokenHash: fmt.Sprintf("pending-%d-%s", i, owner.ID),
				CreatedAt: t0.Add(time.Duration(i) * time.Second), ExpiresAt: t0.Add(time.Hour),
			}
			if err := st.AddPending(ctx, p, 5); err != nil {
				t.Fatalf("AddPending: %v", err)
			}
		}
		// Password guesses are counted under the account's key.
		if _, err := st.ReserveLoginAttempt(ctx, store.EmailKey(owner.Email), now, window); err != nil {
			t.Fatalf("ReserveLoginAttempt: %v", err)
		}
	}

	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := st.UserByID(ctx, u.ID)
	wantNotFound(t, "UserByID after DeleteUser", err)
	_, err = st.ConsumeAccountToken(ctx, "tok-"+u.ID, store.PurposeEmailChange, now)
	wantNotFound(t, "account token after DeleteUser", err)
	if got := mustPending(t, st, u.Email); len(got) != 0 {
		t.Errorf("pending registrations after DeleteUser = %d rows, want none", len(got))
	}
	for i := range 2 {
		_, err := st.ConsumePending(ctx, fmt.Sprintf("pending-%d-%s", i, u.ID), now)
		wantNotFound(t, "ConsumePending after DeleteUser", err)
	}
	if got, err := st.LoginFailuresSince(ctx, store.EmailKey(u.Email), window); err != nil || len(got) != 0 {
		t.Errorf("login failures after DeleteUser = %v, %v; want none", got, err)
	}

	// Nothing of the other user's went with it.
	mustUser(t, st, keep.ID)
	if _, err := st.ConsumeAccountToken(ctx, "tok-"+keep.ID, store.PurposeEmailChange, now); err != nil {
		t.Errorf("other user's account token: %v", err)
	}
	if got := mustPending(t, st, keep.Email); len(got) != 2 {
		t.Errorf("other user's pending registrations = %d rows, want 2", len(got))
	}
	if got, err := st.LoginFailuresSince(ctx, store.EmailKey(keep.Email), window); err != nil || len(got) != 1 {
		t.Errorf("other user's login failures = %v, %v; want 1", got, err)
	}

	wantNotFound(t, "DeleteUser twice", st.DeleteUser(ctx, u.ID))
	// The address is free again.
	if err := st.CreateUser(ctx, newUser("g\u00f6ne@example.com")); err != nil {
		t.Errorf("CreateUser with a deleted user's address: %v", err)
	}
}

// race runs fn from concurrency goroutines released at once and returns
// their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, concurrency)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// exactlyOneWinner checks that one call succeeded and every other one got
// store.ErrNotFound.
func exactlyOneWinner(t *testing.T, errs []error) {
	t.Helper()
	winners := 0
	for _, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("loser err = %v, want store.ErrNotFound", err)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent calls succeeded, want exactly 1", winners, len(errs))
	}
}

func (s suite) accountToken(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "tokens@example.com")
	expires := t0.Add(30 * time.Minute)
	change := &store.AccountToken{
		TokenHash: "change", UserID: u.ID, Purpose: store.PurposeEmailChange,
		NewEmail: "Moved@Example.com", Email: "Tokens@Example.com", CreatedAt: t0, ExpiresAt: expires,
	}
	plain := &store.AccountToken{
		TokenHash: "plain", UserID: u.ID, Purpose: purposeOther,
		Email: "t\u00d6kens@example.com", CreatedAt: t0, ExpiresAt: expires,
	}
	for _, tok := range []*store.AccountToken{change, plain} {
		if err := st.CreateAccountToken(ctx, tok); err != nil {
			t.Fatalf("CreateAccountToken(%s): %v", tok.TokenHash, err)
		}
	}

	// A token is only good for its own purpose, and a wrong guess does not
	// use it up.
	_, err := st.ConsumeAccountToken(ctx, "change", purposeOther, t0)
	wantNotFound(t, "ConsumeAccountToken(wrong purpose)", err)
	// Expiry is exclusive: at ExpiresAt the token is dead.
	_, err = st.ConsumeAccountToken(ctx, "change", store.PurposeEmailChange, expires)
	wantNotFound(t, "ConsumeAccountToken at ExpiresAt", err)
	_, err = st.ConsumeAccountToken(ctx, "change", store.PurposeEmailChange, expires.Add(time.Hour))
	wantNotFound(t, "ConsumeAccountToken after expiry", err)

	got, err := st.ConsumeAccountToken(ctx, "change", store.PurposeEmailChange, expires.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("ConsumeAccountToken just before expiry: %v", err)
	}
	if got.TokenHash != "change" || got.UserID != u.ID || got.Purpose != store.PurposeEmailChange ||
		got.NewEmail != "Moved@Example.com" || got.Email != "Tokens@Example.com" {
		t.Errorf("consumed token = %+v, want %+v", got, change)
	}
	checkTime(t, "token CreatedAt", got.CreatedAt, t0)
	checkTime(t, "token ExpiresAt", got.ExpiresAt, expires)
	_, err = st.ConsumeAccountToken(ctx, "change", store.PurposeEmailChange, t0)
	wantNotFound(t, "ConsumeAccountToken twice", err)

	got, err = st.ConsumeAccountToken(ctx, "plain", purposeOther, t0)
	if err != nil {
		t.Fatalf("ConsumeAccountToken(plain): %v", err)
	}
	if got.NewEmail != "" {
		t.Errorf("plain token NewEmail = %q, want empty", got.NewEmail)
	}
	// The address is kept exactly as given, not as its key.
	if got.Email != plain.Email {
		t.Errorf("plain token Email = %+q, want %+q", got.Email, plain.Email)
	}
	_, err = st.ConsumeAccountToken(ctx, "never-issued", purposeOther, t0)
	wantNotFound(t, "ConsumeAccountToken(unknown)", err)
}

func (s suite) accountTokenOnePerPurpose(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "links@example.com")
	other := mustCreate(t, st, "bystander@example.com")
	tokens := mustTokens(t, st, u, other)
	now := t0.Add(time.Minute)

	// A newer link of one purpose replaces the user's older one, and only
	// that one: the email-change link and the other user's link of the
	// same purpose keep working.
	newer := &store.AccountToken{
		TokenHash: "other-newer", UserID: u.ID, Purpose: purposeOther, Email: u.Email,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	}
	if err := st.CreateAccountToken(ctx, newer); err != nil {
		t.Fatalf("CreateAccountToken(newer): %v", err)
	}
	change, older := tokens.mine[0], tokens.mine[1]
	_, err := st.ConsumeAccountToken(ctx, older.TokenHash, purposeOther, now)
	wantNotFound(t, "the older token after a newer one", err)
	if _, err := st.ConsumeAccountToken(ctx, newer.TokenHash, purposeOther, now); err != nil {
		t.Errorf("the newer token: %v", err)
	}
	if _, err := st.ConsumeAccountToken(ctx, change.TokenHash, store.PurposeEmailChange, now); err != nil {
		t.Errorf("the email-change token after a newer token of another purpose: %v", err)
	}
	if _, err := st.ConsumeAccountToken(ctx, tokens.other.TokenHash, purposeOther, now); err != nil {
		t.Errorf("another user's token after a newer one of this user: %v", err)
	}
}

func (s suite) consumeAccountTokenConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "race@example.com")
	tok := &store.AccountToken{
		TokenHash: "race", UserID: u.ID, Purpose: purposeOther,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	if err := st.CreateAccountToken(ctx, tok); err != nil {
		t.Fatalf("CreateAccountToken: %v", err)
	}
	exactlyOneWinner(t, race(func(int) error {
		got, err := st.ConsumeAccountToken(ctx, "race", purposeOther, t0)
		if err == nil && got.UserID != u.ID {
			return fmt.Errorf("winner got user %q", got.UserID)
		}
		return err
	}))
}

func (s suite) revokeToken(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	if revoked, err := st.IsTokenRevoked(ctx, "jti-1"); err != nil || revoked {
		t.Fatalf("IsTokenRevoked before revoking = %v, %v; want false", revoked, err)
	}
	for i := range 2 {
		if err := st.RevokeToken(ctx, "jti-1", t0.Add(time.Hour)); err != nil {
			t.Fatalf("RevokeToken (call %d): %v", i+1, err)
		}
	}
	if revoked, err := st.IsTokenRevoked(ctx, "jti-1"); err != nil || !revoked {
		t.Errorf("IsTokenRevoked(jti-1) = %v, %v; want true", revoked, err)
	}
	if revoked, err := st.IsTokenRevoked(ctx, "jti-2"); err != nil || revoked {
		t.Errorf("IsTokenRevoked(jti-2) = %v, %v; want false", revoked, err)
	}
}

func checkTimes(t *testing.T, what string, got, want []time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		checkTime(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i])
	}
}

func (s suite) loginAttempts(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	window := t0
	old := window
	a1, a2 := window.Add(time.Microsecond), window.Add(10*time.Second)

	// A failure exactly at the window start is outside it (it is one whole
	// window old); one a microsecond later is inside.
	if _, err := st.ReserveLoginAttempt(ctx, "dave@example.com", old, old.Add(-time.Second)); err != nil {
		t.Fatalf("ReserveLoginAttempt: %v", err)
	}
	first, err := st.ReserveLoginAttempt(ctx, "dave@example.com", a1, window)
	if err != nil {
		t.Fatalf("ReserveLoginAttempt: %v", err)
	}
	checkTimes(t, "first reservation", first.Recent, []time.Time{a1})
	// Reserved out of time order; Recent is still oldest first.
	second, err := st.ReserveLoginAttempt(ctx, "dave@example.com", a2, window)
	if err != nil {
		t.Fatalf("ReserveLoginAttempt: %v", err)
	}
	checkTimes(t, "second reservation", second.Recent, []time.Time{a1, a2})
	third, err := st.ReserveLoginAttempt(ctx, "dave@example.com", a1.Add(time.Second), window)
	if err != nil {
		t.Fatalf("ReserveLoginAttempt: %v", err)
	}
	checkTimes(t, "third reservation", third.Recent, []time.Time{a1, a1.Add(time.Second), a2})
	if first.ID == second.ID || second.ID == third.ID || first.ID == third.ID {
		t.Errorf("reservation ids %d, %d, %d are not distinct", first.ID, second.ID, third.ID)
	}

	// Another address has its own count.
	if other, err := st.ReserveLoginAttempt(ctx, "erin@example.com", a2, window); err != nil || len(other.Recent) != 1 {
		t.Errorf("other address reservation = %+v, %v; want 1 failure", other, err)
	}

	if err := st.WithdrawLoginAttempt(ctx, third.ID); err != nil {
		t.Fatalf("WithdrawLoginAttempt: %v", err)
	}
	got, err := st.LoginFailuresSince(ctx, "dave@example.com", window)
	if err != nil {
		t.Fatalf("LoginFailuresSince: %v", err)
	}
	checkTimes(t, "failures after withdrawing", got, []time.Time{a1, a2})
	got, err = st.LoginFailuresSince(ctx, "dave@example.com", old.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("LoginFailuresSince: %v", err)
	}
	checkTimes(t, "failures since before the window", got, []time.Time{old, a1, a2})
	if err := st.WithdrawLoginAttempt(ctx, third.ID); err != nil {
		t.Errorf("WithdrawLoginAttempt of a withdrawn id: %v", err)
	}

	if err := st.ClearLoginFailures(ctx, "dave@example.com"); err != nil {
		t.Fatalf("ClearLoginFailures: %v", err)
	}
	if got, err := st.LoginFailuresSince(ctx, "dave@example.com", old.Add(-time.Second)); err != nil || len(got) != 0 {
		t.Errorf("failures after clearing = %v, %v; want none", got, err)
	}
	if got, err := st.LoginFailuresSince(ctx, "erin@example.com", window); err != nil || len(got) != 1 {
		t.Errorf("other address after clearing = %v, %v; want 1", got, err)
	}
}

// The store counts attempts under the key exactly as the caller built it:
// case folding is the caller's job (store.EmailKey), and a prefixed key is
// a counter of its own.
func (s suite) attemptKeysAsGiven(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	window := t0.Add(-time.Hour)
	keys := []string{"x@example.com", "mail:x@example.com", "X@Example.com", "other:x@example.com"}
	for i, key := range keys {
		// Key i gets i+1 attempts.
		for j := range i + 1 {
			if _, err := st.ReserveLoginAttempt(ctx, key, t0.Add(time.Duration(j)*time.Second), window); err != nil {
				t.Fatalf("ReserveLoginAttempt(%s): %v", key, err)
			}
		}
	}
	for i, key := range keys {
		if got, err := st.LoginFailuresSince(ctx, key, window); err != nil || len(got) != i+1 {
			t.Errorf("LoginFailuresSince(%s) = %v, %v; want %d attempts", key, got, err, i+1)
		}
	}
	if err := st.ClearLoginFailures(ctx, "x@example.com"); err != nil {
		t.Fatalf("ClearLoginFailures: %v", err)
	}
	for i, key := range keys {
		want := i + 1
		if i == 0 {
			want = 0
		}
		if got, err := st.LoginFailuresSince(ctx, key, window); err != nil || len(got) != want {
			t.Errorf("after clearing x@example.com, LoginFailuresSince(%s) = %v, %v; want %d attempts", key, got, err, want)
		}
	}
}

func (s suite) reserveConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	counts := make([]int, concurrency)
	ids := make([]int64, concurrency)
	for i, err := range race(func(i int) error {
		a, err := st.ReserveLoginAttempt(ctx, "frank@example.com", t0.Add(time.Duration(i)*time.Millisecond), t0.Add(-time.Second))
		counts[i], ids[i] = len(a.Recent), a.ID
		return err
	}) {
		if err != nil {
			t.Fatalf("ReserveLoginAttempt (goroutine %d): %v", i, err)
		}
	}
	// Each caller saw its own failure and every earlier one: the counts
	// are exactly 1..N, which is what makes the lockout threshold exact.
	sort.Ints(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("concurrent counts = %v, want 1..%d each once", counts, concurrency)
		}
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("concurrent reservations share id %d", id)
		}
		seen[id] = true
	}
}

func (s suite) purgeExpired(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	now := t0
	window := now.Add(-time.Hour)

	// "dead" expired before now and goes; "edge" expires exactly now and
	// "live" after it, so both stay. Each token belongs to its own user,
	// so none replaces another.
	expiries := map[string]time.Time{"dead": now.Add(-time.Microsecond), "edge": now, "live": now.Add(time.Second)}
	users := map[string]*store.User{}
	for name, exp := range expiries {
		u := mustCreate(t, st, name+"-user@example.com")
		users[name] = u
		p := &store.PendingRegistration{
			Email: name + "@example.com", PasswordHash: "h", TokenHash: "pending-" + name,
			CreatedAt: now.Add(-time.Hour), ExpiresAt: exp,
		}
		if err := st.AddPending(ctx, p, 2); err != nil {
			t.Fatalf("AddPending: %v", err)
		}
		tok := &store.AccountToken{
			TokenHash: "token-" + name, UserID: u.ID, Purpose: purposeOther, Email: u.Email,
			CreatedAt: now.Add(-time.Hour), ExpiresAt: exp,
		}
		if err := st.CreateAccountToken(ctx, tok); err != nil {
			t.Fatalf("CreateAccountToken: %v", err)
		}
		if err := st.RevokeToken(ctx, "jti-"+name, exp); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
	}
	// Attempts at or before the window start go, whatever their key.
	for _, key := range []string{"purge@example.com", "mail:purge@example.com"} {
		for _, at := range []time.Time{window.Add(-time.Second), window, now} {
			if _, err := st.ReserveLoginAttempt(ctx, key, at, window); err != nil {
				t.Fatalf("ReserveLoginAttempt: %v", err)
			}
		}
	}

	// One pending row, one account token, one revoked jti, four attempts.
	n, err := st.PurgeExpired(ctx, now, window)
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	if n != 7 {
		t.Errorf("PurgeExpired deleted %d rows, want 7", n)
	}

	if got := mustPending(t, st, "dead@example.com"); len(got) != 0 {
		t.Errorf("expired pending registration after purge: %d rows, want none", len(got))
	}
	for _, name := range []string{"edge", "live"} {
		if got := mustPending(t, st, name+"@example.com"); len(got) != 1 {
			t.Errorf("%s pending registration after purge: %d rows, want 1", name, len(got))
		}
	}
	// Consuming "as of" an earlier instant tells a purged token from one
	// that is merely expired.
	before := now.Add(-time.Minute)
	_, err = st.ConsumeAccountToken(ctx, "token-dead", purposeOther, before)
	wantNotFound(t, "expired account token after purge", err)
	for _, name := range []string{"edge", "live"} {
		if _, err := st.ConsumeAccountToken(ctx, "token-"+name, purposeOther, before); err != nil {
			t.Errorf("%s account token after purge: %v", name, err)
		}
	}
	if revoked, err := st.IsTokenRevoked(ctx, "jti-dead"); err != nil || revoked {
		t.Errorf("IsTokenRevoked(expired jti) after purge = %v, %v; want false", revoked, err)
	}
	for _, name := range []string{"edge", "live"} {
		if revoked, err := st.IsTokenRevoked(ctx, "jti-"+name); err != nil || !revoked {
			t.Errorf("IsTokenRevoked(%s jti) after purge = %v, %v; want true", name, revoked, err)
		}
	}
	for _, key := range []string{"purge@example.com", "mail:purge@example.com"} {
		got, err := st.LoginFailuresSince(ctx, key, window.Add(-24*time.Hour))
		if err != nil {
			t.Fatalf("LoginFailuresSince: %v", err)
		}
		checkTimes(t, "attempts after purge under "+key, got, []time.Time{now})
	}
	// The users themselves are not touched.
	for _, u := range users {
		mustUser(t, st, u.ID)
	}

	// Nothing is left to purge.
	if n, err := st.PurgeExpired(ctx, now, window); err != nil || n != 0 {
		t.Errorf("second PurgeExpired = %d, %v; want 0", n, err)
	}
}
