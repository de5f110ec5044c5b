// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth/authtest"
)

// Phone numbers of the SMS tests: valid mobile numbers (a US number is
// FIXED_LINE_OR_MOBILE to libphonenumber, a UK 07 number MOBILE).
const (
	phoneAlice = "+14155552671"
	phoneBob   = "+447911123456"
)

// The SMS second factor's exact details (reference §1.2, §1.5, §3.7).
const (
	detailMFATokenInvalid     = "MFA token is invalid or has expired."
	detailPendingTokenInvalid = "Pending token is invalid or has expired."
	detailPendingInactive     = "Token does not match an active account."
	detailNotE164             = "Phone number must be in E.164 format (e.g. +14155552671)."
	detailCannotReceive       = "This phone number cannot receive SMS codes (premium-rate, shared-cost, toll-free, pager and landline numbers are refused). Use a mobile number."
	detailLoginCodeMissing    = "No pending sign-in code — start the login flow again."
	detailLoginCodeExpired    = "Sign-in code has expired. Try logging in again."
	detailLoginCodeLocked     = "Too many wrong attempts — start the login flow again."
	detailSetupCodeMissing    = "No pending verification code — request a new one."
	detailSetupCodeExpired    = "Verification code has expired. Request a new one."
	detailSetupCodeLocked     = "Too many wrong attempts — request a new code."
	detailSMSUnavailable      = "The SMS code could not be sent. Try again in a few minutes."
	detailSMSCooldown         = "A code was sent moments ago. Wait before asking for a new one."
	detailSMSBudget           = "Too many codes were sent to this phone number. Try again later."
	messageSMSDisabled        = "SMS 2FA disabled."
)

// detailWrongCode is the answer to a wrong code with checks left.
func detailWrongCode(remaining int) string {
	return fmt.Sprintf("Wrong code; %d attempts remaining.", remaining)
}

func phoneStart(t *testing.T, env *authtest.Env, session, phone, current string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/phone/start",
		map[string]any{"phone_number": phone, "current_password": current}, authtest.Bearer(session))
}

func phoneConfirm(t *testing.T, env *authtest.Env, pending, code string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/phone/confirm", map[string]any{"pending_token": pending, "code": code})
}

func phoneDisable(t *testing.T, env *authtest.Env, session, current string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodDelete, "/phone", map[string]any{"current_password": current}, authtest.Bearer(session))
}

func mfaConfirm(t *testing.T, env *authtest.Env, pending, code string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/login/mfa-confirm", map[string]any{"mfa_pending_token": pending, "code": code})
}

// startPhone asks for a code for phone and returns the pending token and
// the code the phone received.
func startPhone(t *testing.T, env *authtest.Env, session, phone string) (pending, code string) {
	t.Helper()
	r := phoneStart(t, env, session, phone, pw1)
	wantStatus(t, r, http.StatusAccepted)
	pending = r.Str("pending_token")
	if r.Str("status") != "code_sent" || pending == "" {
		t.Fatalf("phone/start answered %s", r)
	}
	return pending, env.Phones.Code(t, phone)
}

// enrolPhone turns SMS codes on for the session's user with phone, the way
// a user does (code sent, code confirmed), and returns the confirm answer.
func enrolPhone(t *testing.T, env *authtest.Env, session, phone string) *authtest.Response {
	t.Helper()
	pending, code := startPhone(t, env, session, phone)
	r := phoneConfirm(t, env, pending, code)
	wantStatus(t, r, http.StatusOK)
	if r.JSON["is_mfa_enabled"] != true || r.Str("phone_number") != phone {
		t.Fatalf("phone/confirm answered %s", r)
	}
	return r
}

// mfaUser signs email up with pw1 and enrols phone; every later sign-in
// asks for a code. It returns the account's id. The notice of the
// enrolment has arrived (and is claimed), the Env's clock is moved past the
// cooldown of the enrolment code, and its events are reset.
func mfaUser(t *testing.T, env *authtest.Env, email, phone string) string {
	t.Helper()
	id, session := signUp(t, env, email, pw1)
	enrolPhone(t, env, session, phone)
	wantNotice(t, env, email, "turned on")
	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	env.Events.Reset()
	return id
}

// wantNotice waits for the next mail to email and checks it is the notice
// that SMS codes were switched ("turned on" or "turned off"), with no link
// in it.
func wantNotice(t *testing.T, env *authtest.Env, email, switched string) {
	t.Helper()
	m := env.Mail.WaitFor(t, email)
	if !strings.Contains(m.Subject, "Two-step sign-in was "+switched) || authtest.Token(m) != "" {
		t.Fatalf("mail to %s is not the notice that two-step sign-in was %s: %q\n%s", email, switched, m.Subject, m.Text)
	}
}

// loginForCode signs in as an account with SMS codes on and returns the
// pending token of the mfa_required answer and the code the phone got.
func loginForCode(t *testing.T, env *authtest.Env, email, phone string) (pending, code string) {
	t.Helper()
	r := env.Login(t, email, pw1)
	wantStatus(t, r, http.StatusOK)
	pending = r.Str("mfa_pending_token")
	if r.Str("status") != "mfa_required" || pending == "" {
		t.Fatalf("login of an account with SMS codes on answered %s", r)
	}
	return pending, env.Phones.Code(t, phone)
}

// otherCode returns a code of the same length that is not code.
func otherCode(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

// enableMFAInStore turns SMS codes on for id directly in the database, for
// an Env whose /phone routes are switched off.
func enableMFAInStore(t *testing.T, env *authtest.Env, id, phone string) {
	t.Helper()
	if _, err := sideStore(t, env).EnableMFA(context.Background(), id, phone, env.Clock.Now()); err != nil {
		t.Fatalf("enable mfa: %v", err)
	}
}
