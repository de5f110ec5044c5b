// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth"
	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
)

// wantNoCodeIn fails when any recorded event, or the log, holds one of the
// codes. Each event is checked as %+v and as JSON, which also spells out
// the user it points to.
func wantNoCodeIn(t *testing.T, env *authtest.Env, codes ...string) {
	t.Helper()
	for _, e := range env.Events.Events() {
		raw, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("%s: %v", e.EventName(), err)
		}
		for _, code := range codes {
			if strings.Contains(fmt.Sprintf("%+v", e), code) || strings.Contains(string(raw), code) {
				t.Errorf("%s carries the code %s: %s", e.EventName(), code, raw)
			}
		}
	}
	for _, code := range codes {
		if strings.Contains(env.Logs(), code) {
			t.Errorf("the log holds the code %s", code)
		}
	}
}

// Every step of the SMS second factor fires its event with the
// reference's payload (§6), and none carries a code. Ten-digit codes make
// a chance match with a timestamp or an id impossible.
func TestSMSEventsCarryNoCode(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.SMSCodeLength = 10 })
	id, session := signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()
	var codes []string

	pending, code := startPhone(t, env, session, phoneAlice)
	codes = append(codes, code)
	started := authtest.Of[auth.PhoneSetupStarted](env.Events)
	if len(started) != 1 || started[0].User == nil || started[0].User.ID != id || started[0].Phone != phoneAlice {
		t.Fatalf("phone_setup_started events %+v", started)
	}
	wantStatus(t, phoneConfirm(t, env, pending, code), http.StatusOK)
	enabled := authtest.Of[auth.MFAEnabled](env.Events)
	if len(enabled) != 1 || enabled[0].User == nil || enabled[0].User.ID != id ||
		!enabled[0].User.IsMFAEnabled || enabled[0].User.PhoneNumber != phoneAlice {
		t.Fatalf("mfa_enabled events %+v", enabled)
	}

	env.Clock.Advance(time.Duration(env.Config.SMS.ResendCooldownSeconds) * time.Second)
	pending, code = loginForCode(t, env, "alice@example.com", phoneAlice)
	codes = append(codes, code)
	if s := authtest.Of[auth.MFALoginStarted](env.Events); len(s) != 1 || s[0].User == nil || s[0].User.ID != id {
		t.Fatalf("mfa_login_started events %+v", s)
	}
	wantDetail(t, mfaConfirm(t, env, pending, otherCode(code)), http.StatusBadRequest, detailWrongCode(env.Config.SMSCodeMaxAttempts-1))
	failed := authtest.Of[auth.MFALoginFailed](env.Events)
	if len(failed) != 1 || failed[0].User == nil || failed[0].User.ID != id || failed[0].Reason != "wrong" || failed[0].ClientAddr != "127.0.0.1" {
		t.Fatalf("mfa_login_failed events %+v", failed)
	}
	r := mfaConfirm(t, env, pending, code)
	wantStatus(t, r, http.StatusOK)
	if c := authtest.Of[auth.MFALoginCompleted](env.Events); len(c) != 1 || c[0].User == nil || c[0].User.ID != id {
		t.Fatalf("mfa_login_completed events %+v", c)
	}
	if l := authtest.Of[auth.UserLoggedIn](env.Events); len(l) != 1 || l[0].User == nil || l[0].User.ID != id {
		t.Fatalf("user_logged_in events %+v", l)
	}

	wantMessage(t, phoneDisable(t, env, r.Str("access_token"), pw1), http.StatusOK, messageSMSDisabled)
	disabled := authtest.Of[auth.MFADisabled](env.Events)
	if len(disabled) != 1 || disabled[0].User == nil || disabled[0].User.ID != id ||
		disabled[0].User.IsMFAEnabled || disabled[0].User.PhoneNumber != "" {
		t.Fatalf("mfa_disabled events %+v", disabled)
	}

	want := []string{"phone_setup_started", "mfa_enabled", "mfa_login_started", "mfa_login_failed",
		"user_logged_in", "mfa_login_completed", "mfa_disabled"}
	if names := env.Events.Names(); !slices.Equal(names, want) {
		t.Fatalf("events %v, want %v", names, want)
	}
	wantNoCodeIn(t, env, codes...)
}
