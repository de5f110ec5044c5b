package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// smsCode finds the six-digit code in an SMS body (the reference's tests
// read it the same way).
var smsCode = regexp.MustCompile(`\b(\d{6})\b`)

func codeIn(t testing.TB, body string) string {
	t.Helper()
	m := smsCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no six-digit code in the SMS %q", body)
	}
	return m[1]
}

// TestLiveSMSThroughSNS runs the SMS starter app as a real process with
// `[sms] backend = "sns"` pointed at moto_server: the generated SNS sender
// speaks the real AWS protocol through the SDK, and the test reads the
// messages back from moto. It walks enrolment, a sign-in with its code, and
// a code refused for the wrong sign-in.
func TestLiveSMSThroughSNS(t *testing.T) {
	m := moto(t)
	m.own(t)
	bin, host := smsStarterApp(t, "sqlite")
	sink := startSink(t)
	env := append(appEnv(t, sink, "sqlite",
		"REGSTACK_REQUIRE_VERIFICATION=false",
		"REGSTACK_SMS__BACKEND=sns",
		"REGSTACK_SMS__SNS_ENDPOINT="+m.URL,
		"REGSTACK_SMS__SNS_REGION=us-east-1",
		"REGSTACK_SMS__FROM_NUMBER=RegStack",
	), awsEnv()...)
	app := startApp(t, bin, host, env)

	const (
		email = "sms-sns@example.com"
		pass  = "correct-horse-battery-1"
		phone = "+14155552671"
	)
	if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass}); r.Status != http.StatusCreated {
		t.Fatalf("register: %s", r)
	}
	session := login(t, app, email, pass)
	enrolPhone(t, app, session, pass, phone, func() string { return m.waitSMS(t, phone, 1).Message })

	// Signing in now takes a code; the one from SNS completes it.
	pending := startMFALogin(t, app, email, pass)
	msg := m.waitSMS(t, phone, 2).Message
	if !strings.HasPrefix(msg, "Demo sign-in code: ") || !strings.Contains(msg, "\n@127.0.0.1 #") {
		t.Errorf("sign-in SMS %q: want the login template ending with the WebOTP line for 127.0.0.1", msg)
	}
	token := confirmMFALogin(t, app, pending, codeIn(t, msg))
	r := app.Do(t, "GET", apiPrefix+"/me", token, nil)
	if r.Status != http.StatusOK || r.JSON()["is_mfa_enabled"] != true || r.JSON()["phone_number"] != phone {
		t.Errorf("me after the code: %s, want is_mfa_enabled and the phone", r)
	}
	// The code was single-use.
	wantDetail(t, "the same code again", app.Do(t, "POST", apiPrefix+"/login/mfa-confirm", "", map[string]any{"mfa_pending_token": pending, "code": codeIn(t, msg)}),
		http.StatusBadRequest, "No pending sign-in code — start the login flow again.")
}

// enrolPhone turns SMS codes on for the signed-in session's account: it
// starts the enrolment, reads the SMS it sends to phone with smsBody and
// confirms the code in it.
func enrolPhone(t *testing.T, app *liveApp, session, pass, phone string, smsBody func() string) {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/phone/start", session, map[string]any{"phone_number": phone, "current_password": pass})
	if r.Status != http.StatusAccepted || r.JSON()["status"] != "code_sent" {
		t.Fatalf("phone/start: %s, want 202 code_sent", r)
	}
	pending, _ := r.JSON()["pending_token"].(string)
	body := smsBody()
	if !strings.Contains(body, "verification code: ") {
		t.Errorf("enrolment SMS %q: want the phone-setup template", body)
	}
	r = app.Do(t, "POST", apiPrefix+"/phone/confirm", "", map[string]any{"pending_token": pending, "code": codeIn(t, body)})
	if r.Status != http.StatusOK || r.JSON()["is_mfa_enabled"] != true {
		t.Fatalf("phone/confirm: %s, want 200 with is_mfa_enabled", r)
	}
}

// startMFALogin signs in with the password and expects the SMS step; it
// returns the pending token.
func startMFALogin(t *testing.T, app *liveApp, email, pass string) string {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": pass})
	if r.Status != http.StatusOK || r.JSON()["status"] != "mfa_required" || r.JSON()["delivery"] != "sms" {
		t.Fatalf("login of an account with SMS codes: %s, want 200 mfa_required", r)
	}
	pending, _ := r.JSON()["mfa_pending_token"].(string)
	if pending == "" {
		t.Fatalf("login: no mfa_pending_token in %s", r)
	}
	return pending
}

// confirmMFALogin completes a sign-in with its code and returns the session
// token.
func confirmMFALogin(t *testing.T, app *liveApp, pending, code string) string {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/login/mfa-confirm", "", map[string]any{"mfa_pending_token": pending, "code": code})
	token, _ := r.JSON()["access_token"].(string)
	if r.Status != http.StatusOK || token == "" {
		t.Fatalf("login/mfa-confirm: %s, want 200 with a token", r)
	}
	return token
}

// TestLiveSMSThroughTwilioAcrossReplicas runs two replicas of the SMS
// starter app on one PostgreSQL database, sending through a fake Twilio
// API that checks the real protocol (basic auth, the form, 201). Codes and
// their pending tokens live in the database, so a sign-in started on one
// replica is completed on the other, and a code confirmed on one cannot
// be confirmed again on the other.
func TestLiveSMSThroughTwilioAcrossReplicas(t *testing.T) {
	tw := startTwilioFake(t)
	bin, host := smsStarterApp(t, "postgres")
	sink := startSink(t)
	env := append(appEnv(t, sink, "postgres", "REGSTACK_REQUIRE_VERIFICATION=false"), tw.AppEnv()...)
	a := startApp(t, bin, host, env)
	b := startApp(t, bin, host, env)

	const (
		email = "sms-replicas@example.com"
		pass  = "correct-horse-battery-2"
		phone = "+14155550199"
	)
	if r := a.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass}); r.Status != http.StatusCreated {
		t.Fatalf("register: %s", r)
	}
	session := login(t, a, email, pass)
	enrolPhone(t, b, session, pass, phone, func() string { return tw.waitFor(t, phone).Body })

	pending := startMFALogin(t, a, email, pass)
	m := tw.waitFor(t, phone)
	if m.From != tw.From {
		t.Errorf("the SMS came from %q, want from_number %q", m.From, tw.From)
	}
	code := twilioCode(t, m)
	token := confirmMFALogin(t, b, pending, code)
	if r := a.Do(t, "GET", apiPrefix+"/me", token, nil); r.Status != http.StatusOK {
		t.Errorf("the session from replica B on replica A: %s", r)
	}
	wantDetail(t, "the used code on the other replica",
		a.Do(t, "POST", apiPrefix+"/login/mfa-confirm", "", map[string]any{"mfa_pending_token": pending, "code": code}),
		http.StatusBadRequest, "No pending sign-in code — start the login flow again.")
	if n := tw.rejections(); n != 0 {
		t.Errorf("the fake Twilio refused %d requests: the app spoke the API wrongly", n)
	}
}
