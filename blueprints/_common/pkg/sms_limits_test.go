// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
	"regstack.example/app/internal/auth/sms"
)

// wantSMSLimited checks a refused code: 429, the detail, and Retry-After
// in whole seconds.
func wantSMSLimited(t *testing.T, r *authtest.Response, detail string, retryAfter int) {
	t.Helper()
	wantDetail(t, r, http.StatusTooManyRequests, detail)
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Fatalf("Retry-After = %q, want %d", got, retryAfter)
	}
}

// A new sign-in code within sms.resend_cooldown_seconds of the last is
// refused, with Retry-After counting down; the refusals lock nothing, and
// once the cooldown has passed a new code replaces the last.
func TestLoginCodeCooldown(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	cooldown := env.Config.SMS.ResendCooldownSeconds
	env.Phones.Reset()
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)

	wantSMSLimited(t, env.Login(t, "alice@example.com", pw1), detailSMSCooldown, cooldown)
	env.Clock.Advance(time.Duration(cooldown-1)*time.Second + 500*time.Millisecond)
	wantSMSLimited(t, env.Login(t, "alice@example.com", pw1), detailSMSCooldown, 1)
	if msgs := env.Phones.To(phoneAlice); len(msgs) != 1 {
		t.Fatalf("%d text messages, want the first only", len(msgs))
	}
	// A wrong password is still a wrong password.
	wantDetail(t, env.Login(t, "alice@example.com", pw2), http.StatusUnauthorized, detailBadLogin)

	// Refused codes are no failed passwords: many of them lock nothing.
	for range env.Config.LoginLockoutThreshold {
		wantSMSLimited(t, env.Login(t, "alice@example.com", pw1), detailSMSCooldown, 1)
	}

	// Once the cooldown has passed, a new sign-in sends a new code, which
	// replaces the first.
	env.Clock.Advance(500 * time.Millisecond)
	pending2, code2 := loginForCode(t, env, "alice@example.com", phoneAlice)
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)
	wantStatus(t, mfaConfirm(t, env, pending2, code2), http.StatusOK)
}

// While the cooldown holds, the code already sent stays valid.
func TestLoginCodeCooldownKeepsTheCodeSent(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	wantSMSLimited(t, env.Login(t, "alice@example.com", pw1), detailSMSCooldown, env.Config.SMS.ResendCooldownSeconds)
	wantStatus(t, mfaConfirm(t, env, pending, code), http.StatusOK)
}

func TestPhoneStartCooldown(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	pending, code := startPhone(t, env, session, phoneAlice)
	env.Clock.Advance(10 * time.Second)
	wantSMSLimited(t, phoneStart(t, env, session, phoneBob, pw1), detailSMSCooldown, env.Config.SMS.ResendCooldownSeconds-10)
	// The code already sent still confirms its number.
	c := phoneConfirm(t, env, pending, code)
	wantStatus(t, c, http.StatusOK)
	if c.Str("phone_number") != phoneAlice {
		t.Fatalf("confirmed %s", c)
	}
}

// The cooldown is per user and per kind of code: an enrolment code does
// not hold up a sign-in code, nor one user another.
func TestCooldownIsPerUserAndKind(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	loginForCode(t, env, "alice@example.com", phoneAlice)
	_, bob := signUp(t, env, "bob@example.com", pw1)
	startPhone(t, env, bob, phoneBob)
}

func TestCooldownOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMS.ResendCooldownSeconds = 0 })
	mfaUser(t, env, "alice@example.com", phoneAlice)
	loginForCode(t, env, "alice@example.com", phoneAlice)
	loginForCode(t, env, "alice@example.com", phoneAlice)
}

// sms.max_per_number_per_hour bounds the codes one number gets, whoever
// asks, so the application cannot be used to pump paid messages to it.
func TestSMSBudgetPerNumber(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMS.MaxPerNumberPerHour = 2; c.SMS.ResendCooldownSeconds = 0 })
	_, alice := signUp(t, env, "alice@example.com", pw1)
	_, bob := signUp(t, env, "bob@example.com", pw1)

	startPhone(t, env, alice, phoneAlice)
	env.Clock.Advance(20 * time.Minute)
	startPhone(t, env, bob, phoneAlice)
	wantSMSLimited(t, phoneStart(t, env, alice, phoneAlice, pw1), detailSMSBudget, 40*60)
	wantSMSLimited(t, phoneStart(t, env, bob, phoneAlice, pw1), detailSMSBudget, 40*60)
	if n := len(env.Phones.To(phoneAlice)); n != 2 {
		t.Fatalf("%d text messages to the number, want 2", n)
	}
	// Other numbers have budgets of their own.
	startPhone(t, env, alice, phoneBob)

	// Refused requests used none of it: one slot frees up when the first
	// message is an hour old.
	env.Clock.Advance(40 * time.Minute)
	startPhone(t, env, alice, phoneAlice)
	wantSMSLimited(t, phoneStart(t, env, bob, phoneAlice, pw1), detailSMSBudget, 20*60)
}

func TestSMSBudgetCountsSignInCodes(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMS.MaxPerNumberPerHour = 2; c.SMS.ResendCooldownSeconds = 0 })
	// The enrolment's code is the first of the two.
	mfaUser(t, env, "alice@example.com", phoneAlice)
	loginForCode(t, env, "alice@example.com", phoneAlice)
	wantSMSLimited(t, env.Login(t, "alice@example.com", pw1), detailSMSBudget, 3600)
}

func TestSMSBudgetOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) {
		c.SMS.MaxPerNumberPerHour = 0
		c.SMS.ResendCooldownSeconds = 0
		c.PhoneStartRateLimit = "off"
	})
	_, session := signUp(t, env, "alice@example.com", pw1)
	for range 12 {
		startPhone(t, env, session, phoneAlice)
	}
}

// Each SMS route has its own per-client rate limit.
func TestSMSRouteRateLimits(t *testing.T) {
	t.Parallel()
	routes := map[string]struct {
		configure func(*config.Config)
		send      func(t *testing.T, env *authtest.Env, session string) *authtest.Response
	}{
		"POST /login/mfa-confirm": {
			func(c *config.Config) { c.LoginMFAConfirmRateLimit = "2/minute" },
			func(t *testing.T, env *authtest.Env, _ string) *authtest.Response {
				return mfaConfirm(t, env, "x", "123456")
			},
		},
		"POST /phone/start": {
			func(c *config.Config) { c.PhoneStartRateLimit = "2/minute" },
			func(t *testing.T, env *authtest.Env, session string) *authtest.Response {
				return phoneStart(t, env, session, phoneAlice, pw2)
			},
		},
		"POST /phone/confirm": {
			func(c *config.Config) { c.PhoneConfirmRateLimit = "2/minute" },
			func(t *testing.T, env *authtest.Env, _ string) *authtest.Response {
				return phoneConfirm(t, env, "x", "123456")
			},
		},
		"DELETE /phone": {
			func(c *config.Config) { c.PhoneDisableRateLimit = "2/minute" },
			func(t *testing.T, env *authtest.Env, session string) *authtest.Response {
				return phoneDisable(t, env, session, pw2)
			},
		},
	}
	for name, route := range routes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t, noLockout, route.configure)
			_, session := signUp(t, env, "alice@example.com", pw1)
			for range 2 {
				if r := route.send(t, env, session); r.Status != http.StatusBadRequest {
					t.Fatalf("within the limit: %s", r)
				}
			}
			wantRateLimited(t, route.send(t, env, session), "2 per 1 minute", 60)
			env.Clock.Advance(time.Minute)
			wantStatus(t, route.send(t, env, session), http.StatusBadRequest)
		})
	}
}

// errProviderDown is what a provider that cannot be reached gives back.
var errProviderDown = fmt.Errorf("%w: connection refused", sms.ErrUnavailable)

// A code that could not be sent is not left behind: the sign-in answers
// 503 and says so, no code waits for it (a new one may be asked for at
// once, with no cooldown), and the number's budget gets its count back.
func TestLoginCodeNotSent(t *testing.T) {
	t.Parallel()
	// Room for the enrolment's code, one sign-in's, and one more.
	env := newEnv(t, func(c *config.Config) { c.SMS.MaxPerNumberPerHour = 3 })
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	env.Events.Reset()

	env.Phones.Fail(errProviderDown)
	for range env.Config.LoginLockoutThreshold + 1 {
		r := env.Login(t, "alice@example.com", pw1)
		wantDetail(t, r, http.StatusServiceUnavailable, detailSMSUnavailable)
		if r.Str("mfa_pending_token") != "" {
			t.Fatalf("a sign-in whose code was not sent got a pending token: %s", r)
		}
	}
	if names := env.Events.Names(); len(names) != 0 {
		t.Fatalf("events %v for sign-ins whose code was not sent", names)
	}
	// The code sent before went with the one that replaced it.
	wantDetail(t, mfaConfirm(t, env, pending, code), http.StatusBadRequest, detailLoginCodeMissing)

	// The provider is back: a code is sent at once (the unsent ones hold
	// up no cooldown, used none of the budget and locked nothing), and it
	// works.
	env.Phones.Fail(nil)
	pending, code = loginForCode(t, env, "alice@example.com", phoneAlice)
	wantStatus(t, mfaConfirm(t, env, pending, code), http.StatusOK)
}

func TestPhoneStartCodeNotSent(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMS.MaxPerNumberPerHour = 1 })
	_, session := signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()

	env.Phones.Fail(errProviderDown)
	r := phoneStart(t, env, session, phoneAlice, pw1)
	wantDetail(t, r, http.StatusServiceUnavailable, detailSMSUnavailable)
	if r.Str("pending_token") != "" {
		t.Fatalf("an enrolment whose code was not sent got a pending token: %s", r)
	}
	if names := env.Events.Names(); len(names) != 0 {
		t.Fatalf("events %v for an enrolment whose code was not sent", names)
	}

	env.Phones.Fail(nil)
	pending, code := startPhone(t, env, session, phoneAlice)
	wantStatus(t, phoneConfirm(t, env, pending, code), http.StatusOK)
	// The provider's words stay in the log, not in the answer.
	if !strings.Contains(env.Logs(), "connection refused") {
		t.Fatal("the log does not say why the message was not sent")
	}
}
