// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/sms"
)

const snsKeyID = "AKIDREGSTACKTEST"

// snsAnswer is one scripted answer of the fake: an HTTP status and the
// code and message of an SNS error (none for a success).
type snsAnswer struct {
	status        int
	code, message string
}

// fakeSNS speaks the part of the SNS query protocol Publish uses: a form
// POST with Action=Publish, answered with an XML PublishResponse or
// ErrorResponse. It gives the scripted answers in order, then successes.
type fakeSNS struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	answers []snsAnswer
	forms   []url.Values
}

func newFakeSNS(t *testing.T, answers ...snsAnswer) *fakeSNS {
	f := &fakeSNS{t: t, answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNS) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	// Signed with the credentials of the environment, for the region of
	// the configuration.
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+snsKeyID+"/") || !strings.Contains(auth, "/eu-west-1/sns/aws4_request") {
		f.t.Errorf("Authorization %q", auth)
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("form: %v", err)
	}
	if r.Method != http.MethodPost || r.PostForm.Get("Action") != "Publish" || r.PostForm.Get("Version") != "2010-03-31" {
		f.t.Errorf("%s %s %v: not a Publish", r.Method, r.URL, r.PostForm)
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	var a snsAnswer
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()

	if a.status != 0 {
		kind := "Sender"
		if a.status >= 500 {
			kind = "Receiver"
		}
		w.WriteHeader(a.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error>
    <Type>%s</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
</ErrorResponse>`, kind, a.code, a.message)
		return
	}
	fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
  </ResponseMetadata>
</PublishResponse>`)
}

func (f *fakeSNS) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

// attributes returns the message attributes of a Publish form, by name:
// MessageAttributes.entry.N.Name and .Value.DataType/.Value.StringValue.
func attributes(form url.Values) map[string]string {
	out := map[string]string{}
	for n := 1; ; n++ {
		prefix := fmt.Sprintf("MessageAttributes.entry.%d.", n)
		name := form.Get(prefix + "Name")
		if name == "" {
			return out
		}
		out[name] = form.Get(prefix+"Value.DataType") + ":" + form.Get(prefix+"Value.StringValue")
	}
}

// awsTestEnv gives the standard AWS chain test credentials and nothing
// else: no shared files, no instance metadata.
func awsTestEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", snsKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "regstack-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func (f *fakeSNS) sender(t *testing.T, from string) sms.Sender {
	t.Helper()
	awsTestEnv(t)
	cfg := config.Default().SMS
	cfg.Backend = "sns"
	cfg.SNSRegion = "eu-west-1"
	cfg.SNSEndpoint = f.srv.URL
	cfg.FromNumber = from
	s, err := sms.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*sms.SNS); !ok {
		t.Fatalf("sms.New for sns: %T", s)
	}
	return s
}

func TestSNSPublishes(t *testing.T) {
	for from, want := range map[string]map[string]string{
		"": {"AWS.SNS.SMS.SMSType": "String:Transactional"},
		"RegStack": {
			"AWS.SNS.SMS.SMSType":  "String:Transactional",
			"AWS.SNS.SMS.SenderID": "String:RegStack",
		},
		"+15005550006": {
			"AWS.SNS.SMS.SMSType":          "String:Transactional",
			"AWS.MM.SMS.OriginationNumber": "String:+15005550006",
		},
	} {
		f := newFakeSNS(t)
		if err := f.sender(t, from).Send(context.Background(), sms.Message{To: testTo, Body: testBody}); err != nil {
			t.Fatalf("from %q: %v", from, err)
		}
		forms := f.requests()
		if len(forms) != 1 {
			t.Fatalf("from %q: %d requests, want 1", from, len(forms))
		}
		if got := forms[0].Get("PhoneNumber"); got != testTo {
			t.Errorf("PhoneNumber %q, want %q", got, testTo)
		}
		if got := forms[0].Get("Message"); got != testBody {
			t.Errorf("Message %q, want %q", got, testBody)
		}
		got := attributes(forms[0])
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("from %q: attributes %v, want %v", from, got, want)
		}
	}
}

func TestSNSRejectsNumber(t *testing.T) {
	f := newFakeSNS(t, snsAnswer{status: 400, code: "InvalidParameter", message: "Invalid parameter: PhoneNumber Reason: +14155550123 is not valid to publish to"})
	err := f.sender(t, "").Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrRejected) || errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrRejected", err)
	}
	var pe *sms.ProviderError
	if !errors.As(err, &pe) || pe.Provider != "sns" || pe.Code != "InvalidParameter" || pe.HTTPStatus != 400 || !strings.Contains(pe.Message, "not valid to publish to") {
		t.Errorf("error %#v, want SNS's InvalidParameter", err)
	}
	if len(f.requests()) != 1 {
		t.Errorf("%d requests: a refusal must not be retried", len(f.requests()))
	}
}

func TestSNSErrorIsScrubbed(t *testing.T) {
	f := newFakeSNS(t, snsAnswer{status: 400, code: "ParameterValueInvalid", message: "Message 482913 is refused"})
	err := f.sender(t, "").Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrRejected) {
		t.Fatalf("error %v, want ErrRejected", err)
	}
	if strings.Contains(err.Error(), "482913") {
		t.Errorf("error text %q holds the code", err)
	}
}

func TestSNSRetriesOnce(t *testing.T) {
	fail := snsAnswer{status: 500, code: "InternalError", message: "Internal error"}
	f := newFakeSNS(t, fail, fail, fail)
	err := f.sender(t, "").Send(context.Background(), sms.Message{To: testTo, Body: testBody})
	if !errors.Is(err, sms.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable", err)
	}
	var pe *sms.ProviderError
	if !errors.As(err, &pe) || pe.Code != "InternalError" || pe.HTTPStatus != 500 {
		t.Errorf("error %#v, want SNS's InternalError", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one retry)", n)
	}
}

func TestSNSNeedsARegion(t *testing.T) {
	awsTestEnv(t)
	cfg := config.Default().SMS
	cfg.Backend = "sns"
	if _, err := sms.New(cfg, nil); err == nil || !strings.Contains(err.Error(), "sms.sns_region") {
		t.Errorf("no region: %v, want an error naming sms.sns_region", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if _, err := sms.New(cfg, nil); err != nil {
		t.Errorf("region from AWS_REGION: %v", err)
	}
}

func TestSNSChecksMessage(t *testing.T) {
	f := newFakeSNS(t)
	if err := f.sender(t, "").Send(context.Background(), sms.Message{To: "4155550123", Body: testBody}); !errors.Is(err, sms.ErrInvalidMessage) {
		t.Errorf("error %v, want ErrInvalidMessage", err)
	}
	if len(f.requests()) != 0 {
		t.Error("an invalid message reached SNS")
	}
}
