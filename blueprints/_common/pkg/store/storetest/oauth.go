// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"regstack.example/app/internal/auth/store"
)

// runOAuth adds the methods of store.OAuth (Sign in with Google) to the
// suite: one test per clause of their contract, the races included.
func (s suite) runOAuth(t *testing.T) {
	t.Run("OAuthStateClaim", s.oauthStateClaim)
	t.Run("OAuthStateClaimOtherBrowser", s.oauthStateOtherBrowser)
	t.Run("OAuthStateClaimConcurrent", s.oauthStateClaimConcurrent)
	t.Run("OAuthStateCompleteAndConsume", s.oauthCompleteAndConsume)
	t.Run("OAuthCompletionConsumeConcurrent", s.oauthConsumeConcurrent)
	t.Run("LinkIdentity", s.linkIdentity)
	t.Run("IdentitiesOfOrder", s.identitiesOfOrder)
	t.Run("CreateUserWithIdentity", s.createUserWithIdentity)
	t.Run("CreateUserWithIdentityConcurrent", s.createUserWithIdentityConcurrent)
	t.Run("UnlinkIdentity", s.unlinkIdentity)
	t.Run("UnlinkIdentityConcurrent", s.unlinkIdentityConcurrent)
	t.Run("OAuthDeleteUser", s.oauthDeleteUser)
	t.Run("OAuthPurgeExpired", s.oauthPurgeExpired)
}

// browser is the hash of the suite's browser cookie; otherBrowser that of
// another browser's.
const (
	browser      = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
	otherBrowser = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
)

// oauthState returns a sign-in state id started at created in the suite's
// browser, live for ten minutes; linking, when not nil, makes it a link.
func oauthState(id string, created time.Time, linking *store.User) *store.OAuthState {
	st := &store.OAuthState{
		ID:           id,
		Provider:     "google",
		CodeVerifier: "verifier-" + id,
		Nonce:        "nonce-" + id,
		BrowserHash:  browser,
		RedirectTo:   "/after/" + id,
		Mode:         store.OAuthModeSignIn,
		CreatedAt:    created,
		ExpiresAt:    created.Add(10 * time.Minute),
	}
	if linking != nil {
		st.Mode, st.LinkingUserID = store.OAuthModeLink, linking.ID
	}
	return st
}

func mustCreateState(t *testing.T, st store.Store, s *store.OAuthState) {
	t.Helper()
	if err := st.CreateOAuthState(t.Context(), s); err != nil {
		t.Fatalf("CreateOAuthState(%s): %v", s.ID, err)
	}
}

func mustClaim(t *testing.T, st store.Store, id string, now time.Time) *store.OAuthState {
	t.Helper()
	got, err := st.ClaimOAuthState(t.Context(), id, browser, now)
	if err != nil {
		t.Fatalf("ClaimOAuthState(%s): %v", id, err)
	}
	return got
}

// mustComplete claims the state id at now and completes it for userID,
// exchangeable for five minutes, with the completion hash "done-<id>".
func mustComplete(t *testing.T, st store.Store, id, userID string, now time.Time) {
	t.Helper()
	mustClaim(t, st, id, now)
	if err := st.CompleteOAuthState(t.Context(), id, "done-"+id, userID, false, now.Add(5*time.Minute)); err != nil {
		t.Fatalf("CompleteOAuthState(%s): %v", id, err)
	}
}

func checkState(t *testing.T, what string, got, want *store.OAuthState) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no state, want %+v", what, want)
		return
	}
	type plain struct {
		ID, Provider, CodeVerifier, Nonce, BrowserHash, RedirectTo string
		Mode, LinkingUserID, CompletionHash, ResultUserID          string
		WasNew                                                     bool
	}
	flat := func(s *store.OAuthState) plain {
		return plain{
			s.ID, s.Provider, s.CodeVerifier, s.Nonce, s.BrowserHash, s.RedirectTo,
			s.Mode, s.LinkingUserID, s.CompletionHash, s.ResultUserID, s.WasNew,
		}
	}
	if g, w := flat(got), flat(want); g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	checkTime(t, what+" CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, what+" ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	checkTime(t, what+" UsedAt", got.UsedAt, want.UsedAt)
}

// identity returns an identity of u at provider with subject, linked at
// linked.
func identity(u *store.User, provider, subject string, linked time.Time) *store.OAuthIdentity {
	return &store.OAuthIdentity{
		UserID:   u.ID,
		Provider: provider,
		Subject:  subject,
		Email:    "Linked." + u.Email,
		LinkedAt: linked,
	}
}

func mustLink(t *testing.T, st store.Store, id *store.OAuthIdentity) {
	t.Helper()
	if err := st.LinkIdentity(t.Context(), id); err != nil {
		t.Fatalf("LinkIdentity(%s %s): %v", id.Provider, id.Subject, err)
	}
}

func checkIdentity(t *testing.T, what string, got, want *store.OAuthIdentity) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no identity, want %+v", what, want)
		return
	}
	type plain struct{ ID, UserID, Provider, Subject, Email string }
	flat := func(i *store.OAuthIdentity) plain { return plain{i.ID, i.UserID, i.Provider, i.Subject, i.Email} }
	if g, w := flat(got), flat(want); g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	checkTime(t, what+" LinkedAt", got.LinkedAt, want.LinkedAt)
	checkTime(t, what+" LastUsedAt", got.LastUsedAt, want.LastUsedAt)
}

// providersOf lists the providers of the user's identities in the order
// IdentitiesOf returns them.
func providersOf(t *testing.T, st store.Store, userID string) []string {
	t.Helper()
	ids, err := st.IdentitiesOf(t.Context(), userID)
	if err != nil {
		t.Fatalf("IdentitiesOf(%s): %v", userID, err)
	}
	out := []string{}
	for _, id := range ids {
		if id.UserID != userID {
			t.Errorf("IdentitiesOf(%s) returned an identity of %s", userID, id.UserID)
		}
		out = append(out, id.Provider)
	}
	return out
}

func wantProviders(t *testing.T, st store.Store, what, userID string, want ...string) {
	t.Helper()
	if got := providersOf(t, st, userID); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: identities of the user are %v, want %v", what, got, want)
	}
}

func (s suite) oauthStateClaim(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "linker@example.com")
	signin := oauthState("state-signin", t0, nil)
	link := oauthState("state-link", t0, u)
	mustCreateState(t, st, signin)
	mustCreateState(t, st, link)

	// A claim returns the state as stored, marked used.
	now := t0.Add(time.Minute)
	for _, want := range []*store.OAuthState{signin, link} {
		got := mustClaim(t, st, want.ID, now)
		used := *want
		used.UsedAt = now
		checkState(t, "claimed "+want.ID, got, &used)
		// Once.
		_, err := st.ClaimOAuthState(ctx, want.ID, browser, now)
		wantNotFound(t, "second ClaimOAuthState of "+want.ID, err)
	}

	// Expired states are claimed too: the caller tells, and says so.
	late := oauthState("state-late", t0, nil)
	mustCreateState(t, st, late)
	at := late.ExpiresAt.Add(time.Hour)
	got := mustClaim(t, st, late.ID, at)
	want := *late
	want.UsedAt = at
	checkState(t, "expired state claimed", got, &want)

	for _, id := range []string{"no-such-state", "507f1f77bcf86cd799439011", ""} {
		_, err := st.ClaimOAuthState(ctx, id, browser, now)
		wantNotFound(t, "ClaimOAuthState of unknown "+id, err)
	}
}

// A state is bound to the browser that started it: another browser's
// callback finds nothing and leaves the state to its own browser.
func (s suite) oauthStateOtherBrowser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	mustCreateState(t, st, oauthState("bound", t0, nil))
	for _, hash := range []string{otherBrowser, ""} {
		_, err := st.ClaimOAuthState(ctx, "bound", hash, t0)
		wantNotFound(t, fmt.Sprintf("ClaimOAuthState from browser %q", hash), err)
	}
	mustClaim(t, st, "bound", t0)
}

// The callback claims the state once, however often it is replayed at
// the same moment.
func (s suite) oauthStateClaimConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	mustCreateState(t, st, oauthState("raced", t0, nil))
	exactlyOneWinner(t, race(func(i int) error {
		hash := browser
		if i%4 == 3 {
			// Other browsers join in and never win.
			hash = otherBrowser
		}
		got, err := st.ClaimOAuthState(ctx, "raced", hash, t0)
		if err == nil && hash != browser {
			return fmt.Errorf("claimed from another browser: %+v", got)
		}
		return err
	}))
}

func (s suite) oauthCompleteAndConsume(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "complete@example.com")
	state := oauthState("complete", t0, nil)
	mustCreateState(t, st, state)
	now := t0.Add(time.Minute)
	done := now.Add(5 * time.Minute)

	// Nothing completes a state that is unknown or not claimed.
	wantNotFound(t, "CompleteOAuthState of an unknown state",
		st.CompleteOAuthState(ctx, "no-such-state", "h", u.ID, true, done))
	wantNotFound(t, "CompleteOAuthState of a state not claimed",
		st.CompleteOAuthState(ctx, state.ID, "h", u.ID, true, done))

	// A state that has not completed is never consumed, however it is
	// asked for, and stays as it was.
	for _, hash := range []string{"", "h", "no-such-hash"} {
		_, err := st.ConsumeOAuthCompletion(ctx, hash)
		wantNotFound(t, fmt.Sprintf("ConsumeOAuthCompletion(%q) before completion", hash), err)
	}
	mustClaim(t, st, state.ID, now)
	_, err := st.ConsumeOAuthCompletion(ctx, "")
	wantNotFound(t, "ConsumeOAuthCompletion(\"\") of a claimed state", err)

	if err := st.CompleteOAuthState(ctx, state.ID, "h", u.ID, true, done); err != nil {
		t.Fatalf("CompleteOAuthState: %v", err)
	}
	_, err = st.ConsumeOAuthCompletion(ctx, "other-hash")
	wantNotFound(t, "ConsumeOAuthCompletion with another hash", err)
	got, err := st.ConsumeOAuthCompletion(ctx, "h")
	if err != nil {
		t.Fatalf("ConsumeOAuthCompletion: %v", err)
	}
	want := *state
	want.UsedAt, want.CompletionHash, want.ResultUserID, want.WasNew, want.ExpiresAt = now, "h", u.ID, true, done
	checkState(t, "consumed state", got, &want)
	// Once, and the state is gone with it.
	_, err = st.ConsumeOAuthCompletion(ctx, "h")
	wantNotFound(t, "second ConsumeOAuthCompletion", err)
	_, err = st.ClaimOAuthState(ctx, state.ID, browser, now)
	wantNotFound(t, "ClaimOAuthState of a consumed state", err)
	wantNotFound(t, "CompleteOAuthState of a consumed state",
		st.CompleteOAuthState(ctx, state.ID, "h2", u.ID, false, done))

	// An expired completion is still returned: the caller tells.
	mustCreateState(t, st, oauthState("stale", t0, nil))
	mustComplete(t, st, "stale", u.ID, now)
	got, err = st.ConsumeOAuthCompletion(ctx, "done-stale")
	if err != nil {
		t.Fatalf("ConsumeOAuthCompletion of an expired completion: %v", err)
	}
	checkTime(t, "expired completion's ExpiresAt", got.ExpiresAt, now.Add(5*time.Minute))
}

// The completion id is exchanged for one session, however often the
// browser sends it at once.
func (s suite) oauthConsumeConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "exchange@example.com")
	mustCreateState(t, st, oauthState("exchange", t0, nil))
	mustComplete(t, st, "exchange", u.ID, t0)
	exactlyOneWinner(t, race(func(int) error {
		_, err := st.ConsumeOAuthCompletion(ctx, "done-exchange")
		return err
	}))
}

func (s suite) linkIdentity(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "link@example.com")
	other := mustCreate(t, st, "link-other@example.com")

	g := identity(u, "google", "sub-1", t0)
	g.LastUsedAt = t0
	mustLink(t, st, g)
	if g.ID == "" {
		t.Fatal("LinkIdentity did not assign an ID")
	}
	got, err := st.IdentityBySubject(ctx, "google", "sub-1")
	if err != nil {
		t.Fatalf("IdentityBySubject: %v", err)
	}
	checkIdentity(t, "identity by subject", got, g)

	// The subject is looked up within its provider, exactly.
	for _, k := range [][2]string{{"google", "sub-2"}, {"other", "sub-1"}, {"google", "SUB-1"}, {"google", ""}} {
		_, err := st.IdentityBySubject(ctx, k[0], k[1])
		wantNotFound(t, fmt.Sprintf("IdentityBySubject(%q, %q)", k[0], k[1]), err)
	}

	// A provider account belongs to one user; a user has one account of
	// each provider.
	for _, taken := range []*store.OAuthIdentity{
		identity(other, "google", "sub-1", t0),
		identity(u, "google", "sub-2", t0),
	} {
		if err := st.LinkIdentity(ctx, taken); !errors.Is(err, store.ErrIdentityTaken) {
			t.Errorf("LinkIdentity(%s %s of %s): err = %v, want store.ErrIdentityTaken", taken.Provider, taken.Subject, taken.UserID, err)
		}
	}
	// The same subject at another provider is another account.
	mustLink(t, st, identity(other, "other", "sub-1", t0))
	wantProviders(t, st, "after the refused links", u.ID, "google")

	// A user who is gone gets no identity.
	for _, id := range []string{"no-such-user", "507f1f77bcf86cd799439011"} {
		err := st.LinkIdentity(ctx, &store.OAuthIdentity{UserID: id, Provider: "google", Subject: "sub-" + id, LinkedAt: t0})
		wantNotFound(t, "LinkIdentity of unknown user "+id, err)
		_, err = st.IdentityBySubject(ctx, "google", "sub-"+id)
		wantNotFound(t, "identity of unknown user "+id, err)
	}

	// TouchIdentity records a use.
	used := t0.Add(time.Hour)
	if err := st.TouchIdentity(ctx, g.ID, used); err != nil {
		t.Fatalf("TouchIdentity: %v", err)
	}
	got, err = st.IdentityBySubject(ctx, "google", "sub-1")
	if err != nil {
		t.Fatalf("IdentityBySubject: %v", err)
	}
	want := *g
	want.LastUsedAt = used
	checkIdentity(t, "touched identity", got, &want)
	wantNotFound(t, "TouchIdentity of an unknown identity", st.TouchIdentity(ctx, "no-such-identity", used))

	// Optional fields stay empty.
	bare := &store.OAuthIdentity{UserID: other.ID, Provider: "google", Subject: "bare", LinkedAt: t0}
	mustLink(t, st, bare)
	got, err = st.IdentityBySubject(ctx, "google", "bare")
	if err != nil {
		t.Fatalf("IdentityBySubject: %v", err)
	}
	checkIdentity(t, "identity without email or use", got, bare)
}

func (s suite) identitiesOfOrder(t *testing.T) {
	st := s.store(t)
	u := mustCreate(t, st, "order@example.com")
	other := mustCreate(t, st, "order-other@example.com")
	wantProviders(t, st, "a user without identities", u.ID)
	// Linked out of order; listed oldest first.
	mustLink(t, st, identity(u, "b-provider", "s1", t0.Add(2*time.Hour)))
	mustLink(t, st, identity(u, "c-provider", "s2", t0))
	mustLink(t, st, identity(u, "a-provider", "s3", t0.Add(time.Hour)))
	mustLink(t, st, identity(other, "a-provider", "s4", t0.Add(-time.Hour)))
	wantProviders(t, st, "IdentitiesOf", u.ID, "c-provider", "a-provider", "b-provider")
	wantProviders(t, st, "an unknown user", "no-such-user")
}

func (s suite) createUserWithIdentity(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	mustCreate(t, st, "taken@example.com")

	// A new, password-less user and their identity, together.
	u := &store.User{Email: "New@Example.com", IsActive: true, IsVerified: true, FullName: ptr("New User"), CreatedAt: t0, UpdatedAt: t0}
	id := &store.OAuthIdentity{Provider: "google", Subject: "new-sub", Email: "new@example.com", LinkedAt: t0, LastUsedAt: t0}
	if err := st.CreateUserWithIdentity(ctx, u, id); err != nil {
		t.Fatalf("CreateUserWithIdentity: %v", err)
	}
	if u.ID == "" || id.ID == "" || id.UserID != u.ID {
		t.Fatalf("CreateUserWithIdentity left ids user %q, identity %q of user %q", u.ID, id.ID, id.UserID)
	}
	checkUser(t, mustUser(t, st, u.ID), u)
	got, err := st.IdentityBySubject(ctx, "google", "new-sub")
	if err != nil {
		t.Fatalf("IdentityBySubject: %v", err)
	}
	checkIdentity(t, "the new user's identity", got, id)

	// The address is taken (compared by EmailKey): no identity is made.
	err = st.CreateUserWithIdentity(ctx,
		&store.User{Email: "TAKEN@example.com", IsActive: true, CreatedAt: t0, UpdatedAt: t0},
		&store.OAuthIdentity{Provider: "google", Subject: "orphan-sub", LinkedAt: t0})
	if !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("CreateUserWithIdentity with a taken address: err = %v, want store.ErrEmailTaken", err)
	}
	_, err = st.IdentityBySubject(ctx, "google", "orphan-sub")
	wantNotFound(t, "identity of a user refused for the address", err)

	// The provider account is linked already: no user is made.
	err = st.CreateUserWithIdentity(ctx,
		&store.User{Email: "second@example.com", IsActive: true, CreatedAt: t0, UpdatedAt: t0},
		&store.OAuthIdentity{Provider: "google", Subject: "new-sub", LinkedAt: t0})
	if !errors.Is(err, store.ErrIdentityTaken) {
		t.Errorf("CreateUserWithIdentity with a linked subject: err = %v, want store.ErrIdentityTaken", err)
	}
	_, err = st.UserByEmail(ctx, "second@example.com")
	wantNotFound(t, "user refused for the identity", err)
	// And the address is free for a later sign-up.
	mustCreate(t, st, "second@example.com")
}

// One provider account signing in for the first time in several requests
// at once makes one account: the others are refused and leave nothing
// behind.
func (s suite) createUserWithIdentityConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	users := make([]*store.User, concurrency)
	errs := race(func(i int) error {
		users[i] = &store.User{Email: fmt.Sprintf("racer-%d@example.com", i), IsActive: true, CreatedAt: t0, UpdatedAt: t0}
		return st.CreateUserWithIdentity(ctx, users[i], &store.OAuthIdentity{Provider: "google", Subject: "raced-sub", LinkedAt: t0})
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("CreateUserWithIdentity succeeded for goroutines %d and %d, want one", winner, i)
			}
			winner = i
		case !errors.Is(err, store.ErrIdentityTaken):
			t.Errorf("CreateUserWithIdentity (goroutine %d): err = %v, want nil or store.ErrIdentityTaken", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no concurrent CreateUserWithIdentity succeeded")
	}
	got, err := st.IdentityBySubject(ctx, "google", "raced-sub")
	if err != nil {
		t.Fatalf("IdentityBySubject: %v", err)
	}
	if got.UserID != users[winner].ID {
		t.Errorf("the identity belongs to %s, want the winner %s", got.UserID, users[winner].ID)
	}
	for i, u := range users {
		if i == winner {
			continue
		}
		_, err := st.UserByEmail(ctx, u.Email)
		wantNotFound(t, fmt.Sprintf("user of goroutine %d", i), err)
	}
}

func (s suite) unlinkIdentity(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()

	// A user with a password may unlink every identity.
	withPassword := mustCreate(t, st, "unlink@example.com")
	mustLink(t, st, identity(withPassword, "google", "p-sub", t0))
	if err := st.UnlinkIdentity(ctx, withPassword.ID, "google"); err != nil {
		t.Fatalf("UnlinkIdentity with a password: %v", err)
	}
	_, err := st.IdentityBySubject(ctx, "google", "p-sub")
	wantNotFound(t, "unlinked identity", err)
	wantNotFound(t, "UnlinkIdentity twice", st.UnlinkIdentity(ctx, withPassword.ID, "google"))
	wantNotFound(t, "UnlinkIdentity of an unknown user", st.UnlinkIdentity(ctx, "no-such-user", "google"))

	// A user without one keeps their last identity.
	u := &store.User{Email: "passwordless@example.com", IsActive: true, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateUserWithIdentity(ctx, u, identity(u, "google", "g-sub", t0)); err != nil {
		t.Fatalf("CreateUserWithIdentity: %v", err)
	}
	mustLink(t, st, identity(u, "other", "o-sub", t0.Add(time.Second)))
	wantNotFound(t, "UnlinkIdentity of a provider the user has none of", st.UnlinkIdentity(ctx, u.ID, "third"))
	if err := st.UnlinkIdentity(ctx, u.ID, "google"); err != nil {
		t.Fatalf("UnlinkIdentity of one of two: %v", err)
	}
	if err := st.UnlinkIdentity(ctx, u.ID, "other"); !errors.Is(err, store.ErrLastSignInMethod) {
		t.Errorf("UnlinkIdentity of the last way to sign in: err = %v, want store.ErrLastSignInMethod", err)
	}
	wantProviders(t, st, "after refusing to unlink the last", u.ID, "other")

	// Once they set a password, it may go.
	if _, err := st.SetPassword(ctx, u.ID, withPassword.PasswordHash, t0.Add(time.Minute)); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if err := st.UnlinkIdentity(ctx, u.ID, "other"); err != nil {
		t.Fatalf("UnlinkIdentity with a password set since: %v", err)
	}
	wantProviders(t, st, "after unlinking all", u.ID)
}

// The last-method check and the delete are one step: a password-less user
// unlinking all their identities at once keeps exactly one.
func (s suite) unlinkIdentityConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := &store.User{Email: "unlink-race@example.com", IsActive: true, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateUserWithIdentity(ctx, u, identity(u, "provider-0", "sub-0", t0)); err != nil {
		t.Fatalf("CreateUserWithIdentity: %v", err)
	}
	for i := 1; i < concurrency; i++ {
		mustLink(t, st, identity(u, fmt.Sprintf("provider-%d", i), fmt.Sprintf("sub-%d", i), t0))
	}
	errs := race(func(i int) error {
		return st.UnlinkIdentity(ctx, u.ID, fmt.Sprintf("provider-%d", i))
	})
	refused := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, store.ErrLastSignInMethod):
			refused++
		case err != nil:
			t.Errorf("UnlinkIdentity (goroutine %d): %v", i, err)
		}
	}
	if refused != 1 {
		t.Errorf("%d of %d concurrent unlinks were refused, want exactly 1", refused, concurrency)
	}
	if got := providersOf(t, st, u.ID); len(got) != 1 {
		t.Errorf("identities left after the race: %v, want exactly one", got)
	}
}

func (s suite) oauthDeleteUser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "gone-oauth@example.com")
	keep := mustCreate(t, st, "kept-oauth@example.com")
	for _, owner := range []*store.User{u, keep} {
		mustLink(t, st, identity(owner, "google", "sub-"+owner.ID, t0))
		// A link in flight, and a sign-in completed for the owner.
		mustCreateState(t, st, oauthState("link-"+owner.ID, t0, owner))
		mustCreateState(t, st, oauthState("signin-"+owner.ID, t0, nil))
		mustComplete(t, st, "signin-"+owner.ID, owner.ID, t0)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := st.IdentityBySubject(ctx, "google", "sub-"+u.ID)
	wantNotFound(t, "identity after DeleteUser", err)
	wantProviders(t, st, "identities after DeleteUser", u.ID)
	_, err = st.ClaimOAuthState(ctx, "link-"+u.ID, browser, t0)
	wantNotFound(t, "link in flight after DeleteUser", err)
	_, err = st.ConsumeOAuthCompletion(ctx, "done-signin-"+u.ID)
	wantNotFound(t, "completed sign-in after DeleteUser", err)

	wantProviders(t, st, "the other user's identities", keep.ID, "google")
	mustClaim(t, st, "link-"+keep.ID, t0)
	if _, err := st.ConsumeOAuthCompletion(ctx, "done-signin-"+keep.ID); err != nil {
		t.Errorf("the other user's completed sign-in: %v", err)
	}
}

func (s suite) oauthPurgeExpired(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "purge-oauth@example.com")
	now := t0.Add(time.Hour)
	window := now.Add(-time.Hour)

	// "dead" expired before now and goes; "edge" expires exactly now and
	// "live" after it, so both stay. A completed state expires when its
	// completion does: "done-dead" goes, "done-live" stays.
	expiries := map[string]time.Time{"dead": now.Add(-time.Microsecond), "edge": now, "live": now.Add(time.Second)}
	for name, exp := range expiries {
		state := oauthState(name, t0, nil)
		state.ExpiresAt = exp
		mustCreateState(t, st, state)
	}
	for name, exp := range map[string]time.Time{"done-dead": now.Add(-time.Microsecond), "done-live": now.Add(time.Minute)} {
		mustCreateState(t, st, oauthState(name, now.Add(-2*time.Hour), nil))
		mustClaim(t, st, name, t0)
		if err := st.CompleteOAuthState(ctx, name, "hash-"+name, u.ID, false, exp); err != nil {
			t.Fatalf("CompleteOAuthState(%s): %v", name, err)
		}
	}
	// Identities never expire.
	mustLink(t, st, identity(u, "google", "purged-sub", t0.Add(-48*time.Hour)))

	n, err := st.PurgeExpired(ctx, now, window)
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	if n != 2 {
		t.Errorf("PurgeExpired deleted %d rows, want 2 (the expired states)", n)
	}
	_, err = st.ClaimOAuthState(ctx, "dead", browser, now)
	wantNotFound(t, "expired state after purge", err)
	_, err = st.ConsumeOAuthCompletion(ctx, "hash-done-dead")
	wantNotFound(t, "expired completion after purge", err)
	for _, name := range []string{"edge", "live"} {
		mustClaim(t, st, name, now)
	}
	if _, err := st.ConsumeOAuthCompletion(ctx, "hash-done-live"); err != nil {
		t.Errorf("live completion after purge: %v", err)
	}
	wantProviders(t, st, "identities after purge", u.ID, "google")
	if n, err := st.PurgeExpired(ctx, now, window); err != nil || n != 0 {
		t.Errorf("second PurgeExpired = %d, %v; want 0", n, err)
	}
}
