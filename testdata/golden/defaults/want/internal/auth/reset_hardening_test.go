// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/store"
)

// wantContestedAccount checks what following a link of a contested
// address leads to: a verified account that neither registration's
// password opens, and a mailed link with which the mailbox owner chooses
// the password.
func wantContestedAccount(t *testing.T, env *authtest.Env, r *authtest.Response, email string, passwords ...string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if r.JSON["is_verified"] != true || r.JSON["full_name"] != nil {
		t.Fatalf("verify answered %s", r)
	}
	for _, pw := range passwords {
		wantDetail(t, env.Login(t, email, pw), http.StatusUnauthorized, detailBadLogin)
	}
	choose := authtest.Token(env.Mail.WaitFor(t, email))
	wantMessage(t, resetPassword(t, env, choose, "the owner's own passphrase"), http.StatusOK, resetMessage)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, email, "the owner's own passphrase")
}

// Attacker first ("pre-hijacking"): someone registers the victim's address
// with a password they know; the victim registers too and follows their
// own link. The account must not open with the attacker's password.
func TestPreHijackingRegistration(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)
	wantStatus(t, env.Do(t, http.MethodPost, "/register", map[string]any{"email": "victim@example.com", "password": pw2, "full_name": "Mallory"}), http.StatusCreated)
	attackers := authtest.Token(env.Mail.WaitFor(t, "victim@example.com"))
	wantStatus(t, env.Register(t, "Victim@example.com", pw1), http.StatusCreated)
	victims := authtest.Token(env.Mail.WaitFor(t, "victim@example.com"))

	wantContestedAccount(t, env, verify(t, env, victims), "victim@example.com", pw1, pw2)
	wantDetail(t, verify(t, env, attackers), http.StatusBadRequest, detailVerifyInvalid)
}

// Victim first: a later registration with another password keeps the first
// link working and does not replace its password; whichever link the
// mailbox owner follows, nobody's typed password wins.
func TestRegisterTwiceDifferentPasswords(t *testing.T) {
	t.Parallel()
	for _, follow := range []string{"first", "second"} {
		t.Run(follow, func(t *testing.T) {
			t.Parallel()
			env := authtest.New(t, withVerification)
			wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
			first := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
			wantStatus(t, env.Register(t, "alice@example.com", pw2), http.StatusCreated)
			second := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
			use, other := first, second
			if follow == "second" {
				use, other = second, first
			}
			wantContestedAccount(t, env, verify(t, env, use), "alice@example.com", pw1, pw2)
			wantDetail(t, verify(t, env, other), http.StatusBadRequest, detailVerifyInvalid)
		})
	}
}

// Moving the account to another address kills the reset links mailed to
// the old one (audit 3).
func TestEmailChangeKillsResetToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	reset := requestReset(t, env, "alice@example.com")
	move := requestEmailChange(t, env, session, "alice@new.example.com")
	wantStatus(t, confirmEmailChange(t, env, move), http.StatusOK)
	wantDetail(t, resetPassword(t, env, reset, pw2), http.StatusBadRequest, detailResetInvalid)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@new.example.com", pw1)
}

// A new reset link replaces the older one: at most one live reset token per
// account (audit 6).
func TestResetTokenReplacedByNewer(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	older := requestReset(t, env, "alice@example.com")
	newer := requestReset(t, env, "alice@example.com")
	wantDetail(t, resetPassword(t, env, older, pw2), http.StatusBadRequest, detailResetInvalid)
	wantMessage(t, resetPassword(t, env, newer, pw2), http.StatusOK, resetMessage)
}

// Disabling an account kills its links; enabling it again does not bring
// them back (audit 3).
func TestDisableKillsResetToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")
	st := sideStore(t, env)
	off, on := false, true
	ctx := context.Background()
	if _, err := st.UpdateUser(ctx, id, store.UserPatch{IsActive: &off}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateUser(ctx, id, store.UserPatch{IsActive: &on}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantDetail(t, resetPassword(t, env, tok, pw2), http.StatusBadRequest, detailResetInvalid)
}

// A token is only good for the address it was mailed to, even one that
// escaped deletion (audit 3).
func TestTokenBoundToIssuingAddress(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	raw := "a-token-issued-while-the-account-had-another-address"
	sum := sha256.Sum256([]byte(raw))
	now := env.Clock.Now()
	if err := sideStore(t, env).CreateAccountToken(context.Background(), &store.AccountToken{
		TokenHash: hex.EncodeToString(sum[:]), UserID: id, Purpose: store.PurposePasswordReset,
		Email: "old-address@example.com", CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	wantDetail(t, resetPassword(t, env, raw, pw2), http.StatusBadRequest, detailResetInvalid)
	env.MustLogin(t, "alice@example.com", pw1)
}

// A busy hasher answers 503 without using up the reset link (audit 14).
func TestResetBusyHasherKeepsToken(t *testing.T) {
	t.Parallel()
	h := password.NewHasher(password.Params{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, password.Limits{Concurrent: 1})
	env := authtest.NewWith(t, []auth.Option{auth.WithPasswordHasher(h)}, noVerification)
	signUp(t, env, "alice@example.com", pw1)
	tok := requestReset(t, env, "alice@example.com")

	slot, err := h.Reserve(context.Background()) // every slot taken
	if err != nil {
		t.Fatal(err)
	}
	wantDetail(t, resetPassword(t, env, tok, pw2), http.StatusServiceUnavailable, "Server busy; try again shortly.")
	slot.Release()
	wantMessage(t, resetPassword(t, env, tok, pw2), http.StatusOK, resetMessage)
	env.Clock.Advance(time.Millisecond)
	env.MustLogin(t, "alice@example.com", pw2)
}

// A name typed at sign-up reaches no inbox whose owner has not proven it:
// without verification the reset mail greets nobody by name (audit 5).
func TestNoNameInMailsToUnprovenAddresses(t *testing.T) {
	t.Parallel()
	env := newEnv(t) // require_verification = false
	r := env.Do(t, http.MethodPost, "/register", map[string]any{"email": "victim@example.com", "password": pw1, "full_name": "Click evil.example now"})
	wantStatus(t, r, http.StatusCreated)
	wantStatus(t, env.Do(t, http.MethodPost, "/forgot-password", map[string]any{"email": "victim@example.com"}), http.StatusAccepted)
	msg := env.Mail.WaitFor(t, "victim@example.com")
	if strings.Contains(msg.Text, "evil.example") || strings.Contains(msg.HTML, "evil.example") {
		t.Fatalf("the registrant's text reached the inbox:\n%s", msg.Text)
	}
}
