// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"regstack.example/app/internal/auth/config"
	"regstack.example/app/internal/auth/sms"
)

const (
	twilioSID   = "AC00000000000000000000000000000001"
	twilioToken = "tok-3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f"
	twilioFrom  = "+15005550006"
	testTo      = "+14155550123"
	testBody    = "RegStack sign-in code: 482913. Expires in 5 minutes.\n\n@example.com #482913"
)

// twilioAnswer is one scripted answer of the fake.
type twilioAnswer struct {
	status     int
	retryAfter string
	body       string
	delay      time.Duration
}

// fakeTwilio speaks the part of the Twilio API the sender uses: the
// Messages resource of one account, basic authentication, form bodies and
// Twilio's JSON answers. It gives the scripted answers in order, then 201.
type fakeTwilio struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	answers []twilioAnswer
	forms   []url.Values
	times   []time.Time
}

func newFakeTwilio(t *testing.T, answers ...twilioAnswer) *fakeTwilio {
	f := &fakeTwilio{t: t, answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+twilioSID+"/Messages.json" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"code": 20404, "message": "The requested resource %s was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`, r.URL.Path)
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != twilioSID || pass != twilioToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.t.Errorf("Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("form: %v", err)
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	f.times = append(f.times, time.Now())
	a := twilioAnswer{status: http.StatusCreated}
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()

	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		}
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	if a.status == http.StatusCreated && a.body == "" {
		fmt.Fprintf(w, `{"account_sid": %q, "api_version": "2010-04-01", "body": %q, "date_created": "Thu, 03 Dec 2026 20:00:00 +0000", "direction": "outbound-api", "error_code": null, "error_message": null, "from": %q, "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD", "sid": "SM00000000000000000000000000000001", "status": "queued", "to": %q, "uri": "/2010-04-01/Accounts/%s/Messages/SM00000000000000000000000000000001.json"}`,
			twilioSID, r.PostForm.Get("Body"), r.PostForm.Get("From"), r.PostForm.Get("To"), twilioSID)
		return
	}
	fmt.Fprint(w, a.body)
}

func (f *fakeTwilio) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.forms)
}

func (f *fakeTwilio) sender(t *testing.T, change ...func(*config.SMSConfig)) *sms.Twilio {
	t.Helper()
	cfg := config.Default().SMS
	cfg.Backend = "twilio"
	cfg.TwilioAccountSID = twilioSID
	cfg.TwilioAuthToken = twilioToken
	cfg.FromNumber = twilioFrom
	cfg.TwilioBaseURL = f.srv.URL
	for _, c := range change {
		c(&cfg)
	}
	s, err := sms.NewTwilio(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noSecrets fails the test when err's text holds the token, the body or
// the code.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	for _, secret := range []string{twilioToken, testBody, "482913"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error text %q contains %q", err, secret)
		}
	}
}

func TestTwilioSends(t *testing.T) {
	f := newFakeTwilio(t)
	if err := f.sender(t).Send(context.Background(), sms.Message{To: testTo, Body: testBody}); err != nil {
		t.Fatal(err)
	}
	if f.requests() != 1 {
		t.Fatalf("%d requests, want 1", f.requests())
	}
	form := f.forms[0]
	for k, want := range map[string]string{"To": testTo, "From": twilioFrom, "Body": testBody} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestTwilioWrongCredentials(t *testing.T) {
	f := newFakeTwilio(t)
	err := f.sender(t, func(c *config.SMSConfig) { c.TwilioAuthToken = "wrong-" + twilioToken }).
		Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	var pe *sms.ProviderError
	if !errors.As(err, &pe) || pe.HTTPStatus != 401 || pe.Code != "20003" || pe.Message != "Authenticate" || pe.MoreInfo != "https://www.twilio.com/docs/errors/20003" {
		t.Fatalf("error %#v, want Twilio's 401 with code 20003", err)
	}
	// Refused credentials are the operator's problem, not the number's.
	if !errors.Is(err, sms.ErrUnavailable) || errors.Is(err, sms.ErrRejected) {
		t.Errorf("error %v: want ErrUnavailable only", err)
	}
	if strings.Contains(err.Error(), "wrong-") {
		t.Errorf("error text %q holds the token", err)
	}
	noSecrets(t, err)
}

func TestTwilioRejectsNumber(t *testing.T) {
	f := newFakeTwilio(t, twilioAnswer{status: 400, body: `{"code": 21211, "message": "Invalid 'To' Phone Number: +14155550123", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`})
	err := f.sender(t).Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrRejected) || errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrRejected", err)
	}
	var pe *sms.ProviderError
	if !errors.As(err, &pe) || pe.Provider != "twilio" || pe.HTTPStatus != 400 || pe.Code != "21211" {
		t.Fatalf("error %#v, want Twilio's 400 with code 21211", err)
	}
	for _, want := range []string{"21211", "Invalid 'To' Phone Number", "https://www.twilio.com/docs/errors/21211"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q lacks %q", err, want)
		}
	}
	if f.requests() != 1 {
		t.Errorf("%d requests: a refusal must not be retried", f.requests())
	}
	noSecrets(t, err)
}

// A provider that quotes the request back must not put the code or the
// token into the error (which ends up in a log).
func TestTwilioErrorIsScrubbed(t *testing.T) {
	answer, err := json.Marshal(map[string]any{
		"code":      21617,
		"message":   "Body " + testBody + " with code 482913 refused for token " + twilioToken,
		"more_info": "https://www.twilio.com/docs/errors/21617?t=" + twilioToken,
		"status":    400,
	})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeTwilio(t, twilioAnswer{status: 400, body: string(answer)})
	err = f.sender(t).Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrRejected) {
		t.Fatalf("error %v, want ErrRejected", err)
	}
	noSecrets(t, err)
	if !strings.Contains(err.Error(), "21617") {
		t.Errorf("error text %q lost Twilio's code", err)
	}
}

func TestTwilioRetriesOnceAfterRetryAfter(t *testing.T) {
	f := newFakeTwilio(t, twilioAnswer{status: 429, retryAfter: "1", body: `{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}`})
	if err := f.sender(t).Send(context.Background(), sms.Message{To: testTo, Body: testBody}); err != nil {
		t.Fatal(err)
	}
	if f.requests() != 2 {
		t.Fatalf("%d requests, want 2 (one retry)", f.requests())
	}
	if gap := f.times[1].Sub(f.times[0]); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want the 1s of Retry-After", gap)
	}
	if f.forms[1].Encode() != f.forms[0].Encode() {
		t.Errorf("the retry sent %v, the first try %v", f.forms[1], f.forms[0])
	}
}

func TestTwilioRetriesOnlyOnce(t *testing.T) {
	fail := twilioAnswer{status: 500, body: `{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}`}
	f := newFakeTwilio(t, fail, fail, fail)
	err := f.sender(t).Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	var pe *sms.ProviderError
	if !errors.As(err, &pe) || pe.HTTPStatus != 500 || pe.Code != "20500" {
		t.Errorf("error %#v, want Twilio's 500", err)
	}
	if f.requests() != 2 {
		t.Errorf("%d requests, want 2 (exactly one retry)", f.requests())
	}
	noSecrets(t, err)
}

// A Retry-After longer than the caller's deadline is not waited for.
func TestTwilioRetryRespectsDeadline(t *testing.T) {
	f := newFakeTwilio(t, twilioAnswer{status: 503, retryAfter: "3600", body: "<html>maintenance</html>"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := f.sender(t).Send(ctx, sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v: waited for a retry that could not finish in time", took)
	}
	if f.requests() != 1 {
		t.Errorf("%d requests, want 1", f.requests())
	}
	if !strings.Contains(err.Error(), "503") {
		t.Errorf("error text %q lacks the status", err)
	}
}

func TestTwilioRetryWaitEndsWithContext(t *testing.T) {
	f := newFakeTwilio(t, twilioAnswer{status: 429, retryAfter: "3"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := f.sender(t).Send(ctx, sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable and context.Canceled", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v after the context ended", took)
	}
	if f.requests() != 1 {
		t.Errorf("%d requests, want 1", f.requests())
	}
}

// A request that times out is not retried: Twilio may have taken it.
func TestTwilioTimeout(t *testing.T) {
	f := newFakeTwilio(t, twilioAnswer{status: 201, delay: 3 * time.Second})
	err := f.sender(t, func(c *config.SMSConfig) { c.TimeoutSeconds = 1 }).
		Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	if f.requests() != 1 {
		t.Errorf("%d requests, want 1", f.requests())
	}
	noSecrets(t, err)
}

func TestTwilioDoesNotFollowRedirects(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect followed to %s", r.URL)
	}))
	defer elsewhere.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	s := newFakeTwilio(t).sender(t, func(c *config.SMSConfig) { c.TwilioBaseURL = redirect.URL })
	err := s.Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
}

func TestTwilioChecksMessage(t *testing.T) {
	f := newFakeTwilio(t)
	s := f.sender(t)
	for _, m := range []sms.Message{
		{To: "4155550123", Body: testBody},
		{To: "+0155550123", Body: testBody},
		{To: "+1 415 555 0123", Body: testBody},
		{To: testTo, Body: " \n"},
	} {
		if err := s.Send(context.Background(), m); !errors.Is(err, sms.ErrInvalidMessage) {
			t.Errorf("Send(%q) = %v, want ErrInvalidMessage", m.To, err)
		}
	}
	if f.requests() != 0 {
		t.Errorf("%d requests for invalid messages", f.requests())
	}
}

func TestNewTwilioNeedsCredentials(t *testing.T) {
	cfg := config.Default().SMS
	cfg.Backend = "twilio"
	_, err := sms.NewTwilio(cfg)
	if err == nil {
		t.Fatal("no error without credentials")
	}
	for _, key := range []string{"sms.twilio_account_sid", "sms.twilio_auth_token", "sms.from_number"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}

// Printing the sender by mistake must not print the token.
func TestTwilioPrintsNoToken(t *testing.T) {
	s := newFakeTwilio(t).sender(t)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, s); strings.Contains(out, twilioToken) {
			t.Errorf("%s prints the token: %s", format, out)
		}
	}
}
