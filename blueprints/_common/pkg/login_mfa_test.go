// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"regstack.example/app/internal/auth"
	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
	"regstack.example/app/internal/auth/store"
)

func TestLoginWithSMSCodeOn(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	env.Phones.Reset()
	// Off the whole second: expires_in is still the configured lifetime,
	// though the token's exp is whole seconds.
	env.Clock.Advance(1500 * time.Microsecond)

	r := env.Login(t, "alice@example.com", pw1)
	wantStatus(t, r, http.StatusOK)
	if keys := jsonKeys(t, r.Body); !slices.Equal(keys, []string{"status", "delivery", "mfa_pending_token", "expires_in"}) {
		t.Fatalf("mfa_required answer keys %v: %s", keys, r)
	}
	if r.Str("status") != "mfa_required" || r.Str("delivery") != "sms" ||
		r.JSON["expires_in"] != float64(env.Config.MFAPendingTokenTTLSeconds) {
		t.Fatalf("mfa_required answer %s", r)
	}
	pending := r.Str("mfa_pending_token")
	if c := claimsOf(t, pending); c["sub"] != id || c["purpose"] != "login_mfa" {
		t.Fatalf("pending token claims %v", c)
	}
	// The pending token is no session.
	want401(t, env.Me(t, pending), detailBadToken)

	// One text message, to the account's phone, with the code and the
	// origin-bound line for autofill.
	msgs := env.Phones.Messages()
	if len(msgs) != 1 || msgs[0].To != phoneAlice {
		t.Fatalf("text messages %+v", msgs)
	}
	code := authtest.CodeOf(msgs[0])
	if len(code) != env.Config.SMSCodeLength {
		t.Fatalf("code %q in %q, want %d digits", code, msgs[0].Body, env.Config.SMSCodeLength)
	}
	lines := strings.Split(msgs[0].Body, "\n")
	if !strings.Contains(lines[0], env.Config.AppName) || lines[len(lines)-1] != "@127.0.0.1 #"+code {
		t.Fatalf("message body %q", msgs[0].Body)
	}
	if names := env.Events.Names(); !slices.Equal(names, []string{"mfa_login_started"}) {
		t.Fatalf("events after the password step %v", names)
	}

	env.Clock.Advance(time.Second)
	done := mfaConfirm(t, env, pending, code)
	wantStatus(t, done, http.StatusOK)
	if keys := jsonKeys(t, done.Body); !slices.Equal(keys, []string{"access_token", "token_type", "expires_in"}) {
		t.Fatalf("token answer keys %v", keys)
	}
	if done.Str("token_type") != "bearer" || done.JSON["expires_in"] != float64(env.Config.JWTTTLSeconds) {
		t.Fatalf("token answer %s", done)
	}
	me := env.Me(t, done.Str("access_token"))
	wantStatus(t, me, http.StatusOK)
	if me.Str("id") != id || me.JSON["is_mfa_enabled"] != true || me.Str("phone_number") != phoneAlice ||
		!timeField(t, me, "last_login").Equal(env.Clock.Now()) {
		t.Fatalf("/me after the code step: %s", me)
	}
	if names := env.Events.Names(); !slices.Equal(names, []string{"mfa_login_started", "user_logged_in", "mfa_login_completed"}) {
		t.Fatalf("events %v", names)
	}

	// The pending token worked once: its code is gone.
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
}

func TestLoginCodeStepLeavesLastLoginUntilConfirmed(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	st := sideStore(t, env)
	before, err := st.UserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Second)
	loginForCode(t, env, "alice@example.com", phoneAlice)
	after, err := st.UserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastLogin.Equal(before.LastLogin) {
		t.Fatalf("last_login moved from %v to %v by the password step alone", before.LastLogin, after.LastLogin)
	}
}

// The password step of an account with SMS codes on keeps the lockout:
// a right password is no failure, but it clears the failures only once
// the code completes the sign-in.
func TestLoginCodeStepKeepsFailuresUntilConfirmed(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	for range 4 {
		wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)
	}
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	// Still four failures: a fifth locks.
	wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)
	want429(t, env.Login(t, "alice@example.com", pw1))

	// The code completes the sign-in and forgets the failures.
	wantStatus(t, mfaConfirm(t, env, pending, code), http.StatusOK)
	wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	loginForCode(t, env, "alice@example.com", phoneAlice)
}

func TestLoginCodeExpires(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	ttl := time.Duration(env.Config.SMSCodeTTLSeconds) * time.Second

	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	env.Clock.Advance(ttl - time.Second)
	wantStatus(t, mfaConfirm(t, env, pending, code), http.StatusOK)

	pending, code = loginForCode(t, env, "alice@example.com", phoneAlice)
	env.Clock.Advance(ttl)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeExpired)
	// The expired code is deleted.
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
}

func TestLoginCodeWrongAttempts(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	wrong := otherCode(code)
	for remaining := env.Config.SMSCodeMaxAttempts - 1; remaining > 0; remaining-- {
		wantDetail(t, mfaConfirm(t, env, pending, wrong), http.StatusBadRequest, detailWrongCode(remaining))
	}
	wantDetail(t, mfaConfirm(t, env, pending, wrong), http.StatusBadRequest, detailLoginCodeLocked)
	// The right code comes too late: the code was deleted.
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
	failed := authtest.Of[auth.MFALoginFailed](env.Events)
	if len(failed) != env.Config.SMSCodeMaxAttempts+1 || failed[0].Reason != "wrong" ||
		failed[len(failed)-2].Reason != "locked" || failed[len(failed)-1].Reason != "missing" {
		t.Fatalf("mfa_login_failed events %+v", failed)
	}
}

// The reference's example with max 2: wrong → "1 attempts remaining",
// wrong → locked, right → missing.
func TestLoginCodeAttemptsFollowConfig(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMSCodeMaxAttempts = 2; c.SMSCodeLength = 8 })
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	if len(code) != 8 {
		t.Fatalf("code %q, want 8 digits (sms_code_length)", code)
	}
	wantDetail(t, mfaConfirm(t, env, pending, otherCode(code)), http.StatusBadRequest, detailWrongCode(1))
	wantDetail(t, mfaConfirm(t, env, pending, otherCode(code)), http.StatusBadRequest, detailLoginCodeLocked)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
}

// A code completes only the sign-in it was sent for: a second sign-in
// replaces the first one's code, and its own code does not accept the
// first one's.
func TestLoginCodeBoundToItsPendingToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pendingA, codeA := loginForCode(t, env, "alice@example.com", phoneAlice)
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	pendingB, codeB := loginForCode(t, env, "alice@example.com", phoneAlice)

	wantDetail(t, mfaConfirm(t, env, pendingA, codeA), http.StatusBadRequest, detailLoginCodeMissing)
	if codeA != codeB {
		wantDetail(t, mfaConfirm(t, env, pendingB, codeA), http.StatusBadRequest, detailWrongCode(env.Config.SMSCodeMaxAttempts-1))
	}
	wantDetail(t, mfaConfirm(t, env, pendingA, codeB), http.StatusBadRequest, detailLoginCodeMissing)
	wantStatus(t, mfaConfirm(t, env, pendingB, codeB), http.StatusOK)
}

// Of 20 concurrent confirms with the right code exactly one signs in
// (CONTRACT §2.11).
func TestLoginCodeSingleUseUnderRace(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	var tokens atomic.Int32
	counts := race(20, func() int {
		r := mfaConfirm(t, env, pending, code)
		switch {
		case r.Status == http.StatusOK:
			tokens.Add(1)
		case r.Status == http.StatusBadRequest && (r.Detail() == detailLoginCodeMissing || r.Detail() == detailLoginCodeLocked):
		default:
			t.Errorf("concurrent confirm answered %s", r)
		}
		return r.Status
	})
	if counts[http.StatusOK] != 1 || tokens.Load() != 1 {
		t.Fatalf("statuses %v, want exactly one 200", counts)
	}
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
	if n := len(authtest.Of[auth.UserLoggedIn](env.Events)); n != 1 {
		t.Fatalf("user_logged_in fired %d times", n)
	}
}

// 20 concurrent wrong guesses are counted against the code's checks: at
// most sms_code_max_attempts are compared, each with its own count, and
// then the code is gone.
func TestLoginCodeGuessesBoundedUnderRace(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	wrong := otherCode(code)
	details := make(chan string, 20)
	counts := race(20, func() int {
		r := mfaConfirm(t, env, pending, wrong)
		details <- r.Detail()
		return r.Status
	})
	close(details)
	if counts[http.StatusBadRequest] != 20 {
		t.Fatalf("statuses %v, want twenty 400", counts)
	}
	max := env.Config.SMSCodeMaxAttempts
	seen := map[string]int{}
	for d := range details {
		seen[d]++
	}
	compared := 0
	for remaining := 1; remaining < max; remaining++ {
		if n := seen[detailWrongCode(remaining)]; n > 1 {
			t.Errorf("%q answered %d times: one check counted twice", detailWrongCode(remaining), n)
		}
		compared += seen[detailWrongCode(remaining)]
		delete(seen, detailWrongCode(remaining))
	}
	delete(seen, detailLoginCodeLocked)
	delete(seen, detailLoginCodeMissing)
	if len(seen) > 0 {
		t.Errorf("unexpected answers %v", seen)
	}
	if compared > max-1 {
		t.Errorf("%d guesses were told how many checks remain, more than the %d a code allows before locking", compared, max-1)
	}
	// However the guesses interleaved, the code is locked now.
	if r := mfaConfirm(t, env, pending, code); r.Status != http.StatusBadRequest ||
		(r.Detail() != detailLoginCodeMissing && r.Detail() != detailLoginCodeLocked) {
		t.Fatalf("the right code after the exhausted guesses: %s", r)
	}
}

// A password change (or any revocation) between the two steps ends the
// sign-in: the pending token was issued before it.
func TestLoginCodeStepDiesWithPasswordChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	env.Clock.Advance(time.Millisecond)
	wantStatus(t, changePassword(t, env, sessionFor(t, env, id), pw1, pw2), http.StatusOK)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailMFATokenInvalid)
}

func TestLoginCodeStepOfDisabledAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	off := false
	if _, err := sideStore(t, env).UpdateUser(context.Background(), id, store.UserPatch{IsActive: &off}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailPendingInactive)
}

func TestLoginMFAConfirmRefusesOtherTokens(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMSCodeTTLSeconds = 900; c.MFAPendingTokenTTLSeconds = 600 })
	id := mfaUser(t, env, "bob@example.com", phoneBob)
	_, session := signUp(t, env, "alice@example.com", pw1)
	setup, setupCode := startPhone(t, env, session, phoneAlice)

	pending, code := loginForCode(t, env, "bob@example.com", phoneBob)
	for name, tok := range map[string]string{
		"garbage":                    "not-a-token",
		"session token":              sessionFor(t, env, id),
		"phone setup pending token":  setup,
		"signed with another secret": pySessionToken(t, strings.Repeat("k", 64), id, unixFloat(env.Clock.Now()), env.Clock.Now().Add(time.Hour).Unix(), ""),
	} {
		if r := mfaConfirm(t, env, tok, code); r.Status != http.StatusBadRequest || r.Detail() != detailMFATokenInvalid {
			t.Errorf("%s: %s", name, r)
		}
	}
	// A login pending token is no phone setup token either.
	wantDetail(t, phoneConfirm(t, env, pending, setupCode), http.StatusBadRequest, detailPendingTokenInvalid)

	// The pending token expires after mfa_pending_token_ttl_seconds, even
	// with its code still valid.
	env.Clock.Advance(time.Duration(env.Config.MFAPendingTokenTTLSeconds) * time.Second)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailMFATokenInvalid)
}

func TestLoginMFAConfirmValidation(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	wantValidation(t, env.Do(t, http.MethodPost, "/login/mfa-confirm", map[string]any{"code": "123456"}), "mfa_pending_token", "missing")
	wantValidation(t, env.Do(t, http.MethodPost, "/login/mfa-confirm", map[string]any{"mfa_pending_token": "x"}), "code", "missing")
	wantValidation(t, mfaConfirm(t, env, "x", "123"), "code", "string_too_short")
	wantValidation(t, mfaConfirm(t, env, "x", "12345678901"), "code", "string_too_long")
	wantValidation(t, env.Do(t, http.MethodPost, "/login/mfa-confirm", map[string]any{"mfa_pending_token": "x", "code": "123456", "extra": 1}), "extra", "extra_forbidden")
	wantMissingBody(t, env.Do(t, http.MethodPost, "/login/mfa-confirm", nil))
}

// A login without SMS codes on is unchanged: the token at once, and no
// text message.
func TestLoginWithoutSMSCodeSendsNoMessage(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	env.MustLogin(t, "alice@example.com", pw1)
	if msgs := env.Phones.Messages(); len(msgs) != 0 {
		t.Fatalf("text messages %+v", msgs)
	}
}

// The domain API: Authenticate answers the code step with an
// MFAChallenge, ConfirmLoginCode finishes it.
func TestConfirmLoginCodeDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	ctx := context.Background()
	res, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil || res.Session != nil || res.MFA == nil || res.MFA.PendingToken == "" {
		t.Fatalf("Authenticate: %+v, %v", res, err)
	}
	if want := env.Clock.Now().Add(time.Duration(env.Config.MFAPendingTokenTTLSeconds) * time.Second); !res.MFA.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt %v, want %v", res.MFA.ExpiresAt, want)
	}
	if hint := res.MFA.PhoneHint; strings.Contains(hint, phoneAlice[1:len(phoneAlice)-2]) || !strings.HasSuffix(hint, phoneAlice[len(phoneAlice)-2:]) {
		t.Fatalf("PhoneHint %q shows more than the last two digits of %s", hint, phoneAlice)
	}
	code := env.Phones.Code(t, phoneAlice)
	_, err = env.Auth.ConfirmLoginCode(ctx, res.MFA.PendingToken, otherCode(code))
	var ce *auth.CodeError
	if !errors.As(err, &ce) || ce.Outcome != auth.CodeWrong || ce.Remaining != env.Config.SMSCodeMaxAttempts-1 {
		t.Fatalf("wrong code: %v", err)
	}
	s, err := env.Auth.ConfirmLoginCode(ctx, res.MFA.PendingToken, code)
	if err != nil || s.User == nil || s.User.ID != id || s.Token == "" {
		t.Fatalf("ConfirmLoginCode: %+v, %v", s, err)
	}
	if _, err := env.Auth.ConfirmLoginCode(ctx, "garbage", code); !errors.Is(err, auth.ErrMFATokenInvalid) {
		t.Fatalf("garbage token: %v", err)
	}
}

// codeHookStore runs a function once, right after the next check of a code
// that was counted: the moment a confirm has its check and is about to
// compare the code.
type codeHookStore struct {
	store.Store
	afterReserve atomic.Pointer[func()]
}

func (h *codeHookStore) ReserveMFAAttempt(ctx context.Context, userID, kind, pendingID string, now time.Time) (*store.MFACode, bool, error) {
	c, reserved, err := h.Store.ReserveMFAAttempt(ctx, userID, kind, pendingID, now)
	if reserved {
		if f := h.afterReserve.Swap(nil); f != nil {
			(*f)()
		}
	}
	return c, reserved, err
}

// A check that finds every attempt of a code taken by requests still
// running is refused, but leaves the code for them: the right code in one
// of them still signs in (exactly one of N concurrent right answers wins,
// however many there are).
func TestLoginCodeRightAnswerOutlivesExhaustedChecks(t *testing.T) {
	t.Parallel()
	hs := &codeHookStore{}
	open := func(c *config.Config) {
		s, err := auth.OpenStoreForTest(context.Background(), *c)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		hs.Store = s
	}
	env := authtest.NewWith(t, []auth.Option{auth.WithStore(hs)}, noVerification,
		func(c *config.Config) { c.SMSCodeMaxAttempts = 1 }, open)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)

	var second *authtest.Response
	hook := func() { second = mfaConfirm(t, env, pending, code) }
	hs.afterReserve.Store(&hook)
	first := mfaConfirm(t, env, pending, code)
	wantStatus(t, first, http.StatusOK)
	wantDetail(t, second, http.StatusBadRequest, detailLoginCodeLocked)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
}
