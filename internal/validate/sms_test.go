package validate

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMSApp is a small stand-in for a generated app with the SMS second
// factor, enough for the probe's flow: registration without verification,
// sessions, the /phone routes and the code sign-in. It logs each text
// message to its log file as the console SMS backend does.
type fakeSMSApp struct {
	t       *testing.T
	logFile string

	mu       sync.Mutex
	users    map[string]*fakeUser // by email
	sessions map[string]string    // token → email
	pending  map[string]string    // pending token → email
	codes    map[string]string    // pending token → its code
	texts    int                  // text messages sent
	budgetUp bool                 // the number's hourly budget is used up
}

type fakeUser struct {
	email, password, phone string
	mfa                    bool
}

func newFakeSMSApp(t *testing.T) *fakeSMSApp {
	logFile := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return &fakeSMSApp{t: t, logFile: logFile, users: map[string]*fakeUser{}, sessions: map[string]string{},
		pending: map[string]string{}, codes: map[string]string{}}
}

const fakeOpenAPI = `{"openapi": "3.1.0", "servers": [{"url": "/api/auth"}],
  "components": {}, "paths": {
  "/register": {"post": {"requestBody": {}}},
  "/login": {"post": {"requestBody": {}}},
  "/logout": {"post": {"security": [{"bearer": []}]}},
  "/me": {"get": {"security": [{"bearer": []}]}, "patch": {"security": [{"bearer": []}], "requestBody": {}}},
  "/change-password": {"post": {"security": [{"bearer": []}], "requestBody": {}}},
  "/account": {"delete": {"security": [{"bearer": []}], "requestBody": {}}},
  "/phone/start": {"post": {"security": [{"bearer": []}], "requestBody": {}}},
  "/phone/confirm": {"post": {"requestBody": {}}},
  "/phone": {"delete": {"security": [{"bearer": []}], "requestBody": {}}},
  "/login/mfa-confirm": {"post": {"requestBody": {}}}}}`

func (f *fakeSMSApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "application/json")
	route, ok := strings.CutPrefix(r.URL.Path, "/api/auth")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(status int, body any) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}
	switch r.Method + " " + route {
	case "GET /health", "GET /health/ready":
		reply(http.StatusOK, map[string]string{"status": "ok"})
		return
	case "GET /openapi.json":
		w.Write([]byte(fakeOpenAPI))
		return
	}
	var u *fakeUser
	var token string
	switch route {
	case "/logout", "/me", "/change-password", "/account", "/phone/start", "/phone":
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if u = f.users[f.sessions[token]]; u == nil {
			reply(http.StatusUnauthorized, map[string]string{"detail": "Not authenticated."})
			return
		}
	}
	var in map[string]string
	if r.ContentLength != 0 && json.NewDecoder(r.Body).Decode(&in) != nil {
		reply(http.StatusUnprocessableEntity, map[string]any{"detail": []string{"not an object"}})
		return
	}
	wrong := func() { reply(http.StatusBadRequest, map[string]string{"detail": "Current password is incorrect."}) }
	switch r.Method + " " + route {
	case "POST /register":
		f.users[in["email"]] = &fakeUser{email: in["email"], password: in["password"]}
		reply(http.StatusCreated, map[string]any{"email": in["email"]})
	case "POST /login":
		lu := f.users[in["email"]]
		if in["email"] == "" {
			reply(http.StatusUnprocessableEntity, map[string]any{"detail": []string{"email is required"}})
			return
		}
		if lu == nil || lu.password != in["password"] {
			reply(http.StatusUnauthorized, map[string]string{"detail": "Invalid email or password."})
			return
		}
		if lu.mfa {
			pending := f.text(lu.email, lu.phone, "sign-in")
			reply(http.StatusOK, map[string]any{"status": "mfa_required", "delivery": "sms", "mfa_pending_token": pending, "expires_in": 600})
			return
		}
		reply(http.StatusOK, f.session(lu.email))
	case "POST /login/mfa-confirm":
		email, ok := f.pending[in["mfa_pending_token"]]
		if !ok || f.codes[in["mfa_pending_token"]] != in["code"] {
			reply(http.StatusBadRequest, map[string]string{"detail": "Wrong code."})
			return
		}
		delete(f.pending, in["mfa_pending_token"])
		reply(http.StatusOK, f.session(email))
	case "POST /logout":
		delete(f.sessions, token)
		reply(http.StatusOK, map[string]string{"message": "Logged out."})
	case "GET /me":
		reply(http.StatusOK, map[string]any{"email": u.email, "is_mfa_enabled": u.mfa})
	case "POST /phone/start":
		if in["current_password"] != u.password {
			wrong()
			return
		}
		if f.budgetUp {
			w.Header().Set("Retry-After", "1800")
			reply(http.StatusTooManyRequests, map[string]string{"detail": "Too many codes were sent to this phone number. Try again later."})
			return
		}
		reply(http.StatusAccepted, map[string]any{"status": "code_sent", "pending_token": f.text(u.email, in["phone_number"], "verification"), "expires_in": 600})
	case "POST /phone/confirm":
		email, ok := f.pending[in["pending_token"]]
		if !ok || f.codes[in["pending_token"]] != in["code"] {
			reply(http.StatusBadRequest, map[string]string{"detail": "Wrong code."})
			return
		}
		delete(f.pending, in["pending_token"])
		pu := f.users[email]
		pu.mfa = true
		reply(http.StatusOK, map[string]any{"email": pu.email, "is_mfa_enabled": true})
	case "DELETE /phone":
		if in["current_password"] != u.password {
			wrong()
			return
		}
		u.mfa, u.phone = false, ""
		reply(http.StatusOK, map[string]string{"message": "SMS 2FA disabled."})
	case "DELETE /account":
		if in["current_password"] != u.password {
			wrong()
			return
		}
		delete(f.users, u.email)
		for tok, email := range f.sessions {
			if email == u.email {
				delete(f.sessions, tok)
			}
		}
		reply(http.StatusOK, map[string]string{"message": "Account deleted."})
	default:
		// PATCH /me and POST /change-password: not needed here, but
		// served, as the OpenAPI document says.
		reply(http.StatusNotImplemented, map[string]string{"detail": "not in this fake"})
	}
}

func (f *fakeSMSApp) session(email string) map[string]any {
	token := rand.Text()
	f.sessions[token] = email
	return map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 3600}
}

// text "sends" a code to phone, logging it as the console backend does,
// and returns the pending token it is bound to.
func (f *fakeSMSApp) text(email, phone, kind string) string {
	if phone == "" {
		phone = f.users[email].phone
	}
	f.users[email].phone = phone
	pending, code := rand.Text(), fmt.Sprintf("%06d", 100000+f.texts*7919)
	f.texts++
	f.pending[pending], f.codes[pending] = email, code
	line := fmt.Sprintf("time=%s level=INFO msg=\"sms (console backend, not sent)\" to=%s from=\"\" body=\"Demo %s code: %s.\\n\\n@127.0.0.1 #%s\\n\"\n",
		time.Now().Format(time.RFC3339Nano), phone, kind, code, code)
	lf, err := os.OpenFile(f.logFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		f.t.Error(err)
		return pending
	}
	defer lf.Close()
	if _, err := lf.WriteString(line); err != nil {
		f.t.Error(err)
	}
	return pending
}

// runSMSProbe probes a fake SMS app; withLogs passes its log as the log
// source.
func runSMSProbe(t *testing.T, app *fakeSMSApp, withLogs bool) *Report {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	opts := Options{
		URL: srv.URL, APIPrefix: "/api/auth", UIPrefix: "",
		ProbeEmailDomain: "regstack-probe.example", ProbePhone: "+14155550100", Timeout: 5 * time.Second,
	}
	if withLogs {
		logs, err := ParseLogSource("file:"+app.logFile, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		opts.Logs = fastSource(logs)
	}
	return Run(context.Background(), opts)
}

// TestRunSMS: with a log source the probe enrols its phone, signs in with
// the texted code and switches codes off again, so delete works; each code
// is read from the log and none is printed.
func TestRunSMS(t *testing.T) {
	app := newFakeSMSApp(t)
	r := runSMSProbe(t, app, true)
	for _, id := range []string{"sms_enrol", "sms_login", "sms_disable", "delete"} {
		if c, _ := r.Find(id); c.Status != Pass {
			t.Errorf("%s = %+v, want pass", id, c)
		}
	}
	if _, ok := r.Find("sms"); ok {
		t.Error("the report still lists the old sms placeholder")
	}
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, " "); !strings.HasSuffix(got, "change_email sms_enrol sms_login sms_disable delete") {
		t.Errorf("checks in the order %s; want the SMS steps between change_email and delete", got)
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.texts != 2 {
		t.Errorf("the app sent %d text messages, want 2 (enrolment, sign-in)", app.texts)
	}
	if len(app.users) != 0 {
		t.Errorf("the probe left %d account(s) behind", len(app.users))
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, code := range app.codes {
		if strings.Contains(text.String(), code) {
			t.Errorf("the report prints a code:\n%s", text.String())
		}
	}
}

// TestRunSMSWithoutLogSource: without a log source the SMS steps are
// listed as skipped, saying why, and nothing is texted.
func TestRunSMSWithoutLogSource(t *testing.T) {
	app := newFakeSMSApp(t)
	r := runSMSProbe(t, app, false)
	for _, id := range []string{"sms_enrol", "sms_login", "sms_disable"} {
		if c, _ := r.Find(id); c.Status != Skip || !strings.Contains(c.Detail, "--log-source") {
			t.Errorf("%s = %+v, want skipped naming --log-source", id, c)
		}
	}
	if c, _ := r.Find("delete"); c.Status != Pass {
		t.Errorf("delete = %+v, want pass", c)
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.texts != 0 {
		t.Errorf("the app sent %d text messages, want none", app.texts)
	}
}

// TestRunSMSBudgetUsedUp: when the app refuses to text the probe's number
// again, sms_enrol fails and says what to do, the other SMS steps are
// skipped, and the account is still deleted.
func TestRunSMSBudgetUsedUp(t *testing.T) {
	app := newFakeSMSApp(t)
	app.budgetUp = true
	r := runSMSProbe(t, app, true)
	if c, _ := r.Find("sms_enrol"); c.Status != Fail || !strings.Contains(c.Detail, "429") || !strings.Contains(c.Detail, "--probe-phone") {
		t.Errorf("sms_enrol = %+v, want a failure naming the 429 and --probe-phone", c)
	}
	for _, id := range []string{"sms_login", "sms_disable"} {
		if c, _ := r.Find(id); c.Status != Skip || !strings.Contains(c.Detail, "sms_enrol") {
			t.Errorf("%s = %+v, want skipped, pointing at sms_enrol", id, c)
		}
	}
	if c, _ := r.Find("delete"); c.Status != Pass {
		t.Errorf("delete = %+v, want pass", c)
	}
}
