// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/store"
)

// hookStore runs a function once, right after the next UserByEmail: the
// moment a sign-in has read the password hash and is about to spend the
// Argon2 work. Running a password change there reproduces, every time, the
// race an attacker otherwise wins by chance.
type hookStore struct {
	store.Store
	afterUserByEmail atomic.Pointer[func()]
}

func (h *hookStore) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	u, err := h.Store.UserByEmail(ctx, email)
	if f := h.afterUserByEmail.Swap(nil); f != nil {
		(*f)()
	}
	return u, err
}

// newHookEnv is newEnv on a hookStore over the Env's own database.
func newHookEnv(t *testing.T, configure ...func(*config.Config)) (*authtest.Env, *hookStore) {
	t.Helper()
	hs := &hookStore{}
	open := func(c *config.Config) {
		s, err := auth.OpenStoreForTest(context.Background(), *c)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		hs.Store = s
	}
	configure = append([]func(*config.Config){noVerification}, configure...)
	env := authtest.NewWith(t, []auth.Option{auth.WithStore(hs)}, append(configure, open)...)
	return env, hs
}

// A sign-in whose password was checked while the password changed (or the
// account was disabled, or signed out everywhere) must not get a session:
// checking the hash and recording the login are one store step (audit 1).
func TestLoginRacingPasswordChange(t *testing.T) {
	t.Parallel()
	changes := map[string]func(ctx context.Context, st store.Store, id string, now time.Time) error{
		"password change or reset": func(ctx context.Context, st store.Store, id string, now time.Time) error {
			h := password.NewHasher(password.Params{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, password.Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
			hash, err := h.Hash(ctx, pw2)
			if err != nil {
				return err
			}
			_, err = st.SetPassword(ctx, id, hash, now)
			return err
		},
		"disable": func(ctx context.Context, st store.Store, id string, now time.Time) error {
			off := false
			_, err := st.UpdateUser(ctx, id, store.UserPatch{IsActive: &off}, now)
			return err
		},
		"sign out everywhere": func(ctx context.Context, st store.Store, id string, now time.Time) error {
			_, err := st.RevokeSessions(ctx, id, now)
			return err
		},
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, hs := newHookEnv(t)
			id, _ := signUp(t, env, "alice@example.com", pw1)
			env.Events.Reset()
			hook := func() {
				if err := change(context.Background(), hs.Store, id, env.Clock.Now()); err != nil {
					t.Errorf("change: %v", err)
				}
				// The sign-in's token would be issued after the change.
				env.Clock.Advance(time.Millisecond)
			}
			hs.afterUserByEmail.Store(&hook)
			r := env.Login(t, "alice@example.com", pw1)
			if tok := r.Str("access_token"); tok != "" {
				t.Errorf("a sign-in that raced the change got a session (works after it: %v)", env.Me(t, tok).Status == http.StatusOK)
			}
			wantDetail(t, r, http.StatusUnauthorized, detailBadLogin)
			if n := len(authtest.Of[auth.UserLoggedIn](env.Events)); n != 0 {
				t.Errorf("user_logged_in fired %d times for a refused sign-in", n)
			}
			if f := authtest.Of[auth.LoginFailed](env.Events); len(f) != 1 || f[0].Reason != "password_changed_during_login" {
				t.Errorf("login_failed events %+v", f)
			}
		})
	}
}

// An address is one account and one lockout counter under one folding
// rule, whatever its case or Unicode normal form (audit 7).
func TestEmailUnicodeFolding(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	composed := "\u00d6sten@example.com"    // Ö, one code point
	lower := "\u00f6sten@example.com"       // ö
	decomposed := "o\u0308sten@example.com" // o + combining diaeresis
	signUp(t, env, composed, pw1)
	wantDetail(t, env.Register(t, lower, pw2), http.StatusConflict, "An account with that email already exists.")
	wantDetail(t, env.Register(t, decomposed, pw2), http.StatusConflict, "An account with that email already exists.")
	env.MustLogin(t, lower, pw1)
	env.MustLogin(t, decomposed, pw1)

	// Failures under every spelling count against the one account.
	for _, spelling := range []string{composed, lower, decomposed, composed, lower} {
		wantDetail(t, env.Login(t, spelling, pw2), http.StatusUnauthorized, detailBadLogin)
	}
	for _, spelling := range []string{composed, lower, decomposed} {
		want429(t, env.Login(t, spelling, pw1))
	}
}

// A wrong current_password counts against the account's lockout, like a
// wrong password at /login (audit 4).
func TestCurrentPasswordLockout(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.LoginLockoutThreshold = 3 })
	_, session := signUp(t, env, "alice@example.com", pw1)
	change := func(current string) *authtest.Response {
		return env.Do(t, http.MethodPost, "/change-password",
			map[string]any{"current_password": current, "new_password": "a brand new passphrase"}, authtest.Bearer(session))
	}
	for range 3 {
		wantDetail(t, change(pw2), http.StatusBadRequest, detailWrongPassword)
	}
	if got := want429(t, change(pw2)); got != 900 {
		t.Errorf("Retry-After %d, want 900", got)
	}
	// Locked means locked: the right password too, and at /login.
	want429(t, change(pw1))
	want429(t, env.Do(t, http.MethodPost, "/change-email",
		map[string]any{"new_email": "new@example.com", "current_password": pw1}, authtest.Bearer(session)))
	want429(t, env.Login(t, "alice@example.com", pw1))

	locked := authtest.Of[auth.AccountLocked](env.Events)
	if len(locked) != 1 || locked[0].User == nil || locked[0].Failures != 3 {
		t.Fatalf("account_locked events %+v", locked)
	}
	msg := env.Mail.WaitFor(t, "alice@example.com")
	if !strings.Contains(msg.Subject, "wrong password") {
		t.Errorf("lockout notice subject %q", msg.Subject)
	}
	for _, f := range authtest.Of[auth.LoginFailed](env.Events) {
		if f.Reason != "wrong_current_password" {
			t.Errorf("login_failed reason %q", f.Reason)
		}
	}

	env.Clock.Advance(900 * time.Second)
	wantStatus(t, change(pw1), http.StatusOK)
}

// The lockout of current_password follows rate_limit_disabled like the
// login lockout, and a password-less account's 400 is not a guess.
func TestCurrentPasswordLockoutExemptions(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.LoginLockoutThreshold = 2; c.RateLimitDisabled = true })
	_, session := signUp(t, env, "alice@example.com", pw1)
	for range 4 {
		wantDetail(t, env.Do(t, http.MethodPost, "/change-password",
			map[string]any{"current_password": pw2, "new_password": "a brand new passphrase"}, authtest.Bearer(session)),
			http.StatusBadRequest, detailWrongPassword)
	}

	env2 := newEnv(t, func(c *config.Config) { c.LoginLockoutThreshold = 2 })
	u := createUser(t, env2, "google@example.com", "", true, true)
	tok := sessionFor(t, env2, u.ID)
	for range 4 {
		wantDetail(t, env2.Do(t, http.MethodPost, "/change-password",
			map[string]any{"current_password": pw2, "new_password": "a brand new passphrase"}, authtest.Bearer(tok)),
			http.StatusBadRequest, detailNoPasswordSet)
	}
	if n := len(authtest.Of[auth.LoginFailed](env2.Events)); n != 0 {
		t.Errorf("login_failed fired %d times for a password-less account", n)
	}
}

// Failed sign-ins and the lockout are visible to the operator: events and
// a structured log line, never the password.
func TestLoginFailuresAreReported(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.LoginLockoutThreshold = 2 })
	signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()
	wantStatus(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized)
	wantStatus(t, env.Login(t, "nobody@example.com", pw2), http.StatusUnauthorized)
	wantStatus(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized)
	failed := authtest.Of[auth.LoginFailed](env.Events)
	if len(failed) != 3 || failed[0].Email != "alice@example.com" || failed[0].Reason != "invalid_credentials" || failed[0].ClientAddr == "" {
		t.Fatalf("login_failed events %+v", failed)
	}
	if failed[1].User != nil {
		t.Errorf("login_failed for an unknown address carries a user")
	}
	locked := authtest.Of[auth.AccountLocked](env.Events)
	if len(locked) != 1 || locked[0].Email != "alice@example.com" {
		t.Fatalf("account_locked events %+v", locked)
	}
	// The unknown address locks too, but nobody is mailed about it.
	wantStatus(t, env.Login(t, "nobody@example.com", pw2), http.StatusUnauthorized)
	settle(t, env)
	if n := len(env.Mail.To("nobody@example.com")); n != 0 {
		t.Errorf("%d mail(s) to an address without an account", n)
	}
	if n := len(env.Mail.To("alice@example.com")); n != 1 {
		t.Errorf("%d lockout notice(s) to the account, want 1", n)
	}
	logs := env.Logs()
	if !strings.Contains(logs, "password check failed") || !strings.Contains(logs, "account locked") {
		t.Errorf("log lacks the failure and lockout lines:\n%s", logs)
	}
	if strings.Contains(logs, pw2) {
		t.Errorf("the log contains the password")
	}
}

// Mails with a link to one address are capped per hour, whoever asks and
// from wherever; the answers do not change (audit 11).
func TestMailBudgetPerAddress(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification, func(c *config.Config) { c.Email.MaxPerAddressPerHour = 2 })
	for range 4 {
		wantStatus(t, env.Register(t, "victim@example.com", pw1), http.StatusCreated)
	}
	wantMessage(t, env.Do(t, http.MethodPost, "/resend-verification", map[string]any{"email": "victim@example.com"}),
		http.StatusAccepted, resendMessage)
	env.Clock.Advance(time.Hour)
	wantStatus(t, env.Register(t, "victim@example.com", pw1), http.StatusCreated)
	settle(t, env)
	if n := len(env.Mail.To("victim@example.com")); n != 3 {
		t.Errorf("%d mails to one address, want 2 in the first hour and 1 after it", n)
	}
	if n := len(authtest.Of[auth.MailSuppressed](env.Events)); n != 3 {
		t.Errorf("mail_suppressed fired %d times, want 3", n)
	}
}

// After the Argon2 cost is raised, accounts hashed earlier keep their
// parameters until they sign in: their next sign-in rehashes them, and an
// unknown address costs what such accounts cost (audit 8).
func TestUnknownEmailCostsLikeStoredHashes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// Accounts hashed with older, cheaper parameters than the Env's.
	old := password.NewHasher(password.Params{MemoryKiB: 512, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, password.Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	st := sideStore(t, env)
	ctx := context.Background()
	var ids []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		hash, err := old.Hash(ctx, pw1)
		if err != nil {
			t.Fatal(err)
		}
		now := env.Clock.Now()
		u := &store.User{Email: email, PasswordHash: hash, IsActive: true, IsVerified: true, CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	oldParams := password.ParamsPrefix(mustUser(t, st, ids[0]).PasswordHash)
	env.Auth.CensusPasswordParams(ctx)
	for _, email := range []string{"x@example.com", "y@example.com", "nobody@example.org"} {
		if got := env.Auth.DummyParamsFor(ctx, email); got != oldParams {
			t.Errorf("unknown %s is verified with %q, want the only set in use, %q", email, got, oldParams)
		}
	}

	env.MustLogin(t, "a@example.com", pw1)
	rehashed := mustUser(t, st, ids[0]).PasswordHash
	if got := password.ParamsPrefix(rehashed); got != "$argon2id$v=19$m=1024,t=1,p=1" {
		t.Fatalf("after sign-in the hash has parameters %q, want the current ones", got)
	}
	env.Clock.Advance(time.Second)
	env.MustLogin(t, "a@example.com", pw1) // the rehash keeps the password
	if mustUser(t, st, ids[0]).PasswordHash != rehashed {
		t.Error("a second sign-in rehashed again")
	}

	// Two accounts on the old set, one on the new: the draw follows the
	// census and is stable per address.
	env.Auth.CensusPasswordParams(ctx)
	seen := map[string]int{}
	for i := range 300 {
		email := "probe" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "@example.com"
		p := env.Auth.DummyParamsFor(ctx, email)
		if again := env.Auth.DummyParamsFor(ctx, email); again != p {
			t.Fatalf("%s drew %q, then %q", email, p, again)
		}
		seen[p]++
	}
	if len(seen) != 2 || seen[oldParams] < 120 || seen["$argon2id$v=19$m=1024,t=1,p=1"] < 50 {
		t.Errorf("draws %v, want about 2:1 old:new", seen)
	}
}

func mustUser(t *testing.T, st store.Store, id string) *store.User {
	t.Helper()
	u, err := st.UserByID(context.Background(), id)
	if err != nil {
		t.Fatalf("user %s: %v", id, err)
	}
	return u
}

// Without a way to choose a password by email, a contested address's link
// creates no account: the owner registers again (audit 2).
func TestContestedRegistrationWithoutReset(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification, withoutReset)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	first := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	wantStatus(t, env.Register(t, "alice@example.com", pw2), http.StatusCreated)
	second := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	wantDetail(t, verify(t, env, first), http.StatusBadRequest,
		"This address was registered more than once with different passwords. Please register again.")
	wantDetail(t, verify(t, env, second), http.StatusBadRequest, detailVerifyInvalid)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusUnauthorized, detailBadLogin)
	wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	wantStatus(t, verify(t, env, authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))), http.StatusOK)
	env.MustLogin(t, "alice@example.com", pw1)
}

// Asking to move the account again kills the link of the earlier request,
// so a stale email-change link cannot move it later (audit 3).
func TestStaleEmailChangeTokenDies(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	stale := requestEmailChange(t, env, session, "b@example.com")
	current := requestEmailChange(t, env, session, "c@example.com")
	wantDetail(t, confirmEmailChange(t, env, stale), http.StatusBadRequest, "Token is invalid or has expired.")
	wantStatus(t, confirmEmailChange(t, env, current), http.StatusOK)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "c@example.com", pw1)
}
