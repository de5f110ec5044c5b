// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth"
	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
)

func TestPhoneEnrolment(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	// Off the whole second: expires_in is still the configured lifetime,
	// though the token's exp is whole seconds.
	env.Clock.Advance(1500 * time.Microsecond)

	r := phoneStart(t, env, session, phoneAlice, pw1)
	wantStatus(t, r, http.StatusAccepted)
	if keys := jsonKeys(t, r.Body); !slices.Equal(keys, []string{"status", "pending_token", "expires_in"}) {
		t.Fatalf("phone/start answer keys %v: %s", keys, r)
	}
	if r.Str("status") != "code_sent" || r.JSON["expires_in"] != float64(env.Config.MFAPendingTokenTTLSeconds) {
		t.Fatalf("phone/start answered %s", r)
	}
	pending := r.Str("pending_token")
	if c := claimsOf(t, pending); c["sub"] != id || c["purpose"] != "phone_setup" || c["phone"] != phoneAlice {
		t.Fatalf("pending token claims %v", c)
	}
	msg := env.Phones.WaitFor(t, phoneAlice)
	code := authtest.CodeOf(msg)
	if len(code) != env.Config.SMSCodeLength || !strings.Contains(msg.Body, "verification code") {
		t.Fatalf("enrolment message %q", msg.Body)
	}
	// Nothing on the account changes before the code comes back.
	if me := env.Me(t, session); me.JSON["is_mfa_enabled"] != false || me.JSON["phone_number"] != nil {
		t.Fatalf("/me before the code: %s", me)
	}

	env.Clock.Advance(time.Second)
	c := phoneConfirm(t, env, pending, code)
	wantStatus(t, c, http.StatusOK)
	wantUserPublic(t, c)
	if c.Str("id") != id || c.JSON["is_mfa_enabled"] != true || c.Str("phone_number") != phoneAlice {
		t.Fatalf("phone/confirm answered %s", c)
	}
	// Enrolling ends no session.
	if me := env.Me(t, session); me.JSON["is_mfa_enabled"] != true || me.Str("phone_number") != phoneAlice {
		t.Fatalf("/me after the code: %s", me)
	}
	// The owner is told by email.
	wantNotice(t, env, "alice@example.com", "turned on")
	// The code worked once.
	wantDetail(t, phoneConfirm(t, env, pending, code), http.StatusBadRequest, detailSetupCodeMissing)
	// From now on a sign-in asks for a code.
	loginForCode(t, env, "alice@example.com", phoneAlice)
}

func TestPhoneStartRefusesNumbers(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.PhoneStartRateLimit = "off" })
	_, session := signUp(t, env, "alice@example.com", pw1)
	for _, phone := range []string{
		"+1415abc2671", // letters are not keypad digits here
		"14155552671",  // no +
		"+0123",        // country codes do not start with 0
		"+14155552671 ",
		"+1 415 555 2671",
		"+1234567890123456", // 16 digits
		"+15555555555",      // E.164-shaped, but no such number
	} {
		wantDetail(t, phoneStart(t, env, session, phone, pw1), http.StatusBadRequest, detailNotE164)
	}
	for _, phone := range []string{
		"+19005550123",  // US premium rate
		"+449090901234", // UK premium rate
		"+448449000000", // UK shared cost
		"+18005550123",  // US toll free
		"+4930123456",   // German landline
	} {
		wantDetail(t, phoneStart(t, env, session, phone, pw1), http.StatusBadRequest, detailCannotReceive)
	}
	// The number is checked before the password, as the reference does.
	wantDetail(t, phoneStart(t, env, session, "+19005550123", pw2), http.StatusBadRequest, detailCannotReceive)
	wantDetail(t, phoneStart(t, env, session, phoneAlice, pw2), http.StatusBadRequest, detailWrongPassword)
	wantValidation(t, phoneStart(t, env, session, "+1", pw1), "phone_number", "string_too_short")
	wantValidation(t, phoneStart(t, env, session, strings.Repeat("1", 21), pw1), "phone_number", "string_too_long")
	wantValidation(t, env.Do(t, http.MethodPost, "/phone/start", map[string]any{"phone_number": phoneAlice}, authtest.Bearer(session)), "current_password", "missing")
	want401(t, env.Do(t, http.MethodPost, "/phone/start", map[string]any{"phone_number": phoneAlice, "current_password": pw1}), detailAuthRequired)
	want401(t, phoneStart(t, env, "garbage", phoneAlice, pw1), detailBadToken)
	if msgs := env.Phones.Messages(); len(msgs) != 0 {
		t.Fatalf("refused requests sent %+v", msgs)
	}

	// Valid mobile numbers are accepted (a US number may be a landline or a
	// mobile; libphonenumber cannot tell, so it is given the benefit).
	wantStatus(t, phoneStart(t, env, session, phoneAlice, pw1), http.StatusAccepted)
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	wantStatus(t, phoneStart(t, env, session, phoneBob, pw1), http.StatusAccepted)
}

func TestPhoneConfirmRefusals(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	cooldown := time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second

	wantDetail(t, phoneConfirm(t, env, "garbage", "123456"), http.StatusBadRequest, detailPendingTokenInvalid)
	wantDetail(t, phoneConfirm(t, env, session, "123456"), http.StatusBadRequest, detailPendingTokenInvalid)

	pending, code := startPhone(t, env, session, phoneAlice)
	wrong := otherCode(code)
	for remaining := env.Config.SMSCodeMaxAttempts - 1; remaining > 0; remaining-- {
		wantDetail(t, phoneConfirm(t, env, pending, wrong), http.StatusBadRequest, detailWrongCode(remaining))
	}
	wantDetail(t, phoneConfirm(t, env, pending, wrong), http.StatusBadRequest, detailSetupCodeLocked)
	wantDetail(t, phoneConfirm(t, env, pending, code), http.StatusBadRequest, detailSetupCodeMissing)

	env.Clock.Advance(cooldown)
	pending, code = startPhone(t, env, session, phoneAlice)
	env.Clock.Advance(time.Duration(env.Config.SMSCodeTTLSeconds) * time.Second)
	wantDetail(t, phoneConfirm(t, env, pending, code), http.StatusBadRequest, detailSetupCodeExpired)
	wantDetail(t, phoneConfirm(t, env, pending, code), http.StatusBadRequest, detailSetupCodeMissing)

	wantValidation(t, phoneConfirm(t, env, pending, "123"), "code", "string_too_short")
	wantValidation(t, env.Do(t, http.MethodPost, "/phone/confirm", map[string]any{"code": "123456"}), "pending_token", "missing")

	if me := env.Me(t, session); me.JSON["is_mfa_enabled"] != false || me.JSON["phone_number"] != nil {
		t.Fatalf("refused confirms changed the account: %s", me)
	}
}

// A new enrolment replaces the one before it: only the newest number and
// code count.
func TestPhoneStartReplacesEarlierCode(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	first, firstCode := startPhone(t, env, session, phoneAlice)
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	second, secondCode := startPhone(t, env, session, phoneBob)
	wantDetail(t, phoneConfirm(t, env, first, firstCode), http.StatusBadRequest, detailSetupCodeMissing)
	wantDetail(t, phoneConfirm(t, env, first, secondCode), http.StatusBadRequest, detailSetupCodeMissing)
	c := phoneConfirm(t, env, second, secondCode)
	wantStatus(t, c, http.StatusOK)
	if c.Str("phone_number") != phoneBob {
		t.Fatalf("confirmed %s", c)
	}
}

func TestPhoneConfirmSingleUseUnderRace(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	pending, code := startPhone(t, env, session, phoneAlice)
	counts := race(20, func() int { return phoneConfirm(t, env, pending, code).Status })
	if counts[http.StatusOK] != 1 || counts[http.StatusBadRequest] != 19 {
		t.Fatalf("statuses %v, want one 200 and nineteen 400", counts)
	}
	if n := len(authtest.Of[auth.MFAEnabled](env.Events)); n != 1 {
		t.Fatalf("mfa_enabled fired %d times", n)
	}
}

// The pending token of an enrolment dies with a password change, like any
// token issued before it.
func TestPhoneConfirmDiesWithPasswordChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, session := signUp(t, env, "alice@example.com", pw1)
	pending, code := startPhone(t, env, session, phoneAlice)
	env.Clock.Advance(time.Millisecond)
	wantStatus(t, changePassword(t, env, session, pw1, pw2), http.StatusOK)
	wantDetail(t, phoneConfirm(t, env, pending, code), http.StatusBadRequest, detailPendingTokenInvalid)
}

func TestPhoneDisable(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mfaUser(t, env, "alice@example.com", phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	r := mfaConfirm(t, env, pending, code)
	wantStatus(t, r, http.StatusOK)
	session := r.Str("access_token")

	wantDetail(t, phoneDisable(t, env, session, pw2), http.StatusBadRequest, detailWrongPassword)
	wantValidation(t, env.Do(t, http.MethodDelete, "/phone", map[string]any{}, authtest.Bearer(session)), "current_password", "missing")
	want401(t, env.Do(t, http.MethodDelete, "/phone", map[string]any{"current_password": pw1}), detailAuthRequired)
	if me := env.Me(t, session); me.JSON["is_mfa_enabled"] != true {
		t.Fatalf("refused switch-off changed the account: %s", me)
	}

	// A sign-in code waiting when the codes are switched off dies with them.
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	waiting, waitingCode := loginForCode(t, env, "alice@example.com", phoneAlice)

	wantMessage(t, phoneDisable(t, env, session, pw1), http.StatusOK, messageSMSDisabled)
	me := env.Me(t, session)
	wantStatus(t, me, http.StatusOK)
	if me.JSON["is_mfa_enabled"] != false || me.JSON["phone_number"] != nil {
		t.Fatalf("/me after the switch-off: %s", me)
	}
	wantNotice(t, env, "alice@example.com", "turned off")
	wantDetail(t, mfaConfirm(t, env, waiting, waitingCode), http.StatusBadRequest, detailLoginCodeMissing)
	// Sign-in is one step again.
	env.MustLogin(t, "alice@example.com", pw1)

	// Switching off what is off succeeds, and tells nobody.
	wantMessage(t, phoneDisable(t, env, session, pw1), http.StatusOK, messageSMSDisabled)
	settle(t, env)
	if n := len(env.Mail.To("alice@example.com")); n != 2 {
		t.Fatalf("%d notices, want two: switched on, switched off", n)
	}
}

// CONTRACT §2.10: an account without a password gets 400, never 500, on
// the routes that ask for current_password.
func TestPhonePasswordlessAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	u := createUser(t, env, "google@example.com", "", true, true)
	session := sessionFor(t, env, u.ID)
	wantDetail(t, phoneStart(t, env, session, phoneAlice, "anything"), http.StatusBadRequest, detailNoPasswordSet)
	wantDetail(t, phoneDisable(t, env, session, "anything"), http.StatusBadRequest, detailNoPasswordSet)
	if msgs := env.Phones.Messages(); len(msgs) != 0 {
		t.Fatalf("text messages %+v", msgs)
	}
}

// enable_sms_2fa = false takes the /phone routes away, but an account that
// has codes on keeps being asked for them (reference §1.2 step 6).
func TestPhoneRoutesSwitchedOff(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnableSMS2FA = false })
	id, session := signUp(t, env, "alice@example.com", pw1)
	for _, r := range []*authtest.Response{
		phoneStart(t, env, session, phoneAlice, pw1),
		phoneConfirm(t, env, "x", "123456"),
		phoneDisable(t, env, session, pw1),
	} {
		wantDetail(t, r, http.StatusNotFound, detailNotFound)
	}
	ops := checkOpenAPIMatchesRoutes(t, env)
	if ops["POST /phone/start"] || ops["POST /phone/confirm"] || ops["DELETE /phone"] || !ops["POST /login/mfa-confirm"] {
		t.Fatalf("openapi.json documents %v", ops)
	}

	enableMFAInStore(t, env, id, phoneAlice)
	pending, code := loginForCode(t, env, "alice@example.com", phoneAlice)
	r := mfaConfirm(t, env, pending, code)
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, env.Me(t, r.Str("access_token")), http.StatusOK)
}

func TestOpenAPIDocumentsSMSRoutes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ops := checkOpenAPIMatchesRoutes(t, env)
	for _, op := range []string{"POST /login/mfa-confirm", "POST /phone/start", "POST /phone/confirm", "DELETE /phone"} {
		if !ops[op] {
			t.Errorf("openapi.json lacks %s", op)
		}
	}
}
