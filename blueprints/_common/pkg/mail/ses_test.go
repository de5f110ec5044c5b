// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"regstack.example/app/internal/auth/config"
)

const (
	sesEnvKeyID = "AKIDREGSTACKENV"
	// sesLink is the link of the test message; its token must never reach
	// an error.
	sesLink  = "https://acme.example/account/verify?token=ses-SECRET-4f1c"
	sesToken = "ses-SECRET-4f1c"
)

// sesAnswer is one scripted answer of the fake: an HTTP status and the
// code and message of an SES error (none for a success).
type sesAnswer struct {
	status        int
	code, message string
}

// sesRequest is what the fake received: the Authorization header and the
// SendEmail input, in the JSON of the SES v2 API.
type sesRequest struct {
	auth string
	body struct {
		FromEmailAddress string
		Destination      struct{ ToAddresses []string }
		Content          struct {
			Raw *struct{ Data []byte } // base64 in the JSON
		}
		ConfigurationSetName string
	}
}

// fakeSES speaks the part of the SES v2 REST-JSON protocol SendEmail uses:
// POST /v2/email/outbound-emails with a JSON body, answered with
// {"MessageId": ...} or an error named by the X-Amzn-ErrorType header. It
// gives the scripted answers in order, then successes.
type fakeSES struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	answers []sesAnswer
	reqs    []sesRequest
}

func newFakeSES(t *testing.T, answers ...sesAnswer) *fakeSES {
	f := &fakeSES{t: t, answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSES) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		f.t.Errorf("%s %s: not a SendEmail", r.Method, r.URL)
		http.NotFound(w, r)
		return
	}
	req := sesRequest{auth: r.Header.Get("Authorization")}
	if err := json.NewDecoder(r.Body).Decode(&req.body); err != nil {
		f.t.Errorf("SendEmail body: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	var a sesAnswer
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if a.status != 0 {
		w.Header().Set("X-Amzn-ErrorType", a.code)
		w.WriteHeader(a.status)
		json.NewEncoder(w).Encode(map[string]string{"message": a.message})
		return
	}
	fmt.Fprintf(w, `{"MessageId":"0100018f-%04d-regstack"}`, len(f.requests()))
}

func (f *fakeSES) requests() []sesRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sesRequest(nil), f.reqs...)
}

// sesTestEnv gives the standard AWS chain test credentials and nothing
// else: no region, no shared files of the machine, no instance metadata.
// It returns the folder of the (empty) shared files.
func sesTestEnv(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", sesEnvKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "regstack-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

// sesConfig is an [email] table that sends through f in eu-west-1.
func (f *fakeSES) sesConfig(t *testing.T) config.EmailConfig {
	t.Helper()
	sesTestEnv(t)
	cfg := config.Default().Email
	cfg.Backend = "ses"
	cfg.SESRegion = "eu-west-1"
	cfg.SESEndpoint = f.srv.URL
	return cfg
}

// sesSender returns the sender NewSender makes of cfg.
func sesSender(t *testing.T, cfg config.EmailConfig) *SES {
	t.Helper()
	s, err := NewSender(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ses, ok := s.(*SES)
	if !ok {
		t.Fatalf("NewSender for ses: %T", s)
	}
	return ses
}

// sesMessage is a verification mail as the composer writes it.
func sesMessage() Message {
	return Message{
		From:    "Acme Accounts <noreply@acme.example>",
		To:      "ann@acme.example",
		Subject: "Confirm your Acme account",
		Text:    "Hello,\n\nPlease confirm your email address:\n\n  " + sesLink + "\n",
		HTML:    `<p><a href="` + sesLink + `">Confirm my account</a></p>`,
	}
}

// TestSESSendsTheComposedMessage: SES gets the sender identity, the
// recipient and, as raw content, the same multipart message the SMTP
// sender writes, with the link intact in its text part.
func TestSESSendsTheComposedMessage(t *testing.T) {
	f := newFakeSES(t)
	cfg := f.sesConfig(t)
	cfg.SESConfigurationSet = "regstack-transactional"
	m := sesMessage()
	if err := sesSender(t, cfg).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	// Signed with the credentials of the environment, for SES in the
	// configured region.
	if !strings.HasPrefix(r.auth, "AWS4-HMAC-SHA256 Credential="+sesEnvKeyID+"/") || !strings.Contains(r.auth, "/eu-west-1/ses/aws4_request") {
		t.Errorf("Authorization %q", r.auth)
	}
	if r.body.FromEmailAddress != "noreply@acme.example" {
		t.Errorf("FromEmailAddress %q, want the bare sender address", r.body.FromEmailAddress)
	}
	if got := r.body.Destination.ToAddresses; len(got) != 1 || got[0] != "ann@acme.example" {
		t.Errorf("ToAddresses %q", got)
	}
	if r.body.ConfigurationSetName != "regstack-transactional" {
		t.Errorf("ConfigurationSetName %q", r.body.ConfigurationSetName)
	}
	if r.body.Content.Raw == nil {
		t.Fatal("no raw content")
	}
	msg, _, bodies := parseSent(t, string(r.body.Content.Raw.Data))
	if msg.Header.Get("From") != `"Acme Accounts" <noreply@acme.example>` || msg.Header.Get("To") != "<ann@acme.example>" {
		t.Errorf("From %q, To %q", msg.Header.Get("From"), msg.Header.Get("To"))
	}
	if len(bodies) != 2 {
		t.Fatalf("%d parts, want text and HTML", len(bodies))
	}
	if got := regexp.MustCompile(`token=([^&\s]+)`).FindStringSubmatch(bodies[0]); got == nil || got[1] != sesToken {
		t.Errorf("token not found in the text part: %q", bodies[0])
	}
	if !strings.Contains(bodies[1], "Confirm my account") {
		t.Errorf("HTML part %q", bodies[1])
	}

	// Without a configuration set, none is named.
	cfg.SESConfigurationSet = ""
	if err := sesSender(t, cfg).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[1].body.ConfigurationSetName; got != "" {
		t.Errorf("ConfigurationSetName %q without one configured", got)
	}
}

// TestSESCredentials: explicit keys win over the environment, and a named
// profile of the shared files is used when asked for.
func TestSESCredentials(t *testing.T) {
	f := newFakeSES(t)
	cfg := f.sesConfig(t)
	cfg.SESAccessKeyID, cfg.SESSecretAccessKey = "AKIDREGSTACKEXPLICIT", "explicit-secret"
	if err := sesSender(t, cfg).Send(context.Background(), sesMessage()); err != nil {
		t.Fatal(err)
	}

	cfg = f.sesConfig(t)
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[mailer]\naws_access_key_id = AKIDREGSTACKPROFILE\naws_secret_access_key = profile-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	cfg.SESProfile = "mailer"
	if err := sesSender(t, cfg).Send(context.Background(), sesMessage()); err != nil {
		t.Fatal(err)
	}

	reqs := f.requests()
	for i, keyID := range []string{"AKIDREGSTACKEXPLICIT", "AKIDREGSTACKPROFILE"} {
		if !strings.HasPrefix(reqs[i].auth, "AWS4-HMAC-SHA256 Credential="+keyID+"/") {
			t.Errorf("request %d signed as %q, want %s", i, reqs[i].auth, keyID)
		}
	}
}

// TestSESRejectedWithoutToken: a refusal is final (no retry), says what
// SES said, and carries no link or token even when SES's text quotes one.
func TestSESRejectedWithoutToken(t *testing.T) {
	f := newFakeSES(t, sesAnswer{status: 400, code: "MessageRejected",
		message: "Email address is not verified. The following identities failed the check in region EU-WEST-1: noreply@acme.example (" + sesLink + ")"})
	err := sesSender(t, f.sesConfig(t)).Send(context.Background(), sesMessage())
	var se *SESError
	if !errors.As(err, &se) || se.Code != "MessageRejected" || se.HTTPStatus != 400 || !strings.Contains(se.Message, "Email address is not verified") {
		t.Fatalf("error %#v, want SES's MessageRejected", err)
	}
	if strings.Contains(err.Error(), sesToken) || strings.Contains(err.Error(), "token=ses") {
		t.Errorf("error text %q holds the token", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests: a refusal must not be retried", n)
	}
}

// TestSESRetriesThrottling: SES's throttling answers are retried with
// backoff, and a send that gets through in the end succeeds.
func TestSESRetriesThrottling(t *testing.T) {
	for _, throttle := range []sesAnswer{
		{status: 429, code: "TooManyRequestsException", message: "Too many requests have been made to the operation."},
		{status: 400, code: "Throttling", message: "Maximum sending rate exceeded."},
	} {
		f := newFakeSES(t, throttle)
		if err := sesSender(t, f.sesConfig(t)).Send(context.Background(), sesMessage()); err != nil {
			t.Fatalf("%s then success: %v", throttle.code, err)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("%s: %d requests, want 2 (one retry)", throttle.code, n)
		}
	}
}

// TestSESGivesUpOnLastingThrottling: the retries are bounded, and the
// error that ends them is SES's.
func TestSESGivesUpOnLastingThrottling(t *testing.T) {
	throttle := sesAnswer{status: 429, code: "TooManyRequestsException", message: "Too many requests have been made to the operation."}
	answers := make([]sesAnswer, sesMaxAttempts+1)
	for i := range answers {
		answers[i] = throttle
	}
	f := newFakeSES(t, answers...)
	err := sesSender(t, f.sesConfig(t)).Send(context.Background(), sesMessage())
	var se *SESError
	if !errors.As(err, &se) || se.Code != "TooManyRequestsException" || se.HTTPStatus != 429 {
		t.Fatalf("error %#v, want SES's TooManyRequestsException", err)
	}
	if n := len(f.requests()); n != sesMaxAttempts {
		t.Errorf("%d requests, want %d", n, sesMaxAttempts)
	}
}

func TestSESChecksMessage(t *testing.T) {
	f := newFakeSES(t)
	m := sesMessage()
	m.To = "ann@acme.example\r\nBcc: everyone@acme.example"
	if err := sesSender(t, f.sesConfig(t)).Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("error %v, want ErrInvalidMessage", err)
	}
	if len(f.requests()) != 0 {
		t.Error("an invalid message reached SES")
	}
}

func TestSESNeedsARegion(t *testing.T) {
	sesTestEnv(t)
	cfg := config.Default().Email
	cfg.Backend = "ses"
	if _, err := NewSender(cfg, nil); err == nil || !strings.Contains(err.Error(), "email.ses_region") {
		t.Errorf("no region: %v, want an error naming email.ses_region", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if _, err := NewSender(cfg, nil); err != nil {
		t.Errorf("region from AWS_REGION: %v", err)
	}
}

func TestSESKeysGoTogether(t *testing.T) {
	sesTestEnv(t)
	cfg := config.Default().Email
	cfg.Backend, cfg.SESRegion = "ses", "eu-west-1"
	cfg.SESAccessKeyID = "AKIDREGSTACKEXPLICIT"
	if _, err := NewSender(cfg, nil); err == nil || !strings.Contains(err.Error(), "set both or neither") {
		t.Errorf("key ID without secret: %v", err)
	}
}
