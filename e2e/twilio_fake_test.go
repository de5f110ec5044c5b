package e2e

// twilioFake is a stand-in for the Twilio Messages API that the live
// starter app sends its SMS codes to (sms.backend = "twilio" with
// sms.twilio_base_url pointing here). It speaks the real protocol: a
// form-encoded POST of To, From and Body to
// /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth
// AccountSid:AuthToken, answered 201 with the message resource as JSON;
// wrong credentials get 401 with Twilio's error document (code 20003), a
// missing or malformed parameter 400 with its code (21602, 21603, 21604,
// 21211). Every accepted message is kept, so a test reads the codes back.
//
//	tw := startTwilioFake(t)
//	app := startApp(t, bin, host, appEnv(t, sink, "sqlite", tw.AppEnv()...))
//	...
//	code := twilioCode(t, tw.waitFor(t, "+14155552671"))

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// twilioWait is how long waitFor waits for a message.
const twilioWait = 15 * time.Second

// twilioMessage is one message the fake accepted.
type twilioMessage struct {
	SID, To, From, Body string
	Received            time.Time
}

// twilioFake is a running fake Twilio API; start one with startTwilioFake.
type twilioFake struct {
	// AccountSID and AuthToken are the credentials it accepts; From is the
	// sender number AppEnv configures.
	AccountSID, AuthToken, From string

	url string
	srv *http.Server

	mu       sync.Mutex
	msgs     []twilioMessage
	claimed  []bool
	rejected int           // requests answered with an error
	arrived  chan struct{} // closed and replaced on every accepted message
}

// startTwilioFake starts a fake on a free loopback port with fresh
// credentials; it stops when t ends.
func startTwilioFake(t testing.TB) *twilioFake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &twilioFake{
		AccountSID: "AC" + twilioHex(16),
		AuthToken:  twilioHex(16),
		From:       "+15005550006",
		url:        "http://" + ln.Addr().String(),
		arrived:    make(chan struct{}),
	}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 10 * time.Second}
	go f.srv.Serve(ln)
	t.Cleanup(func() { f.srv.Close() })
	return f
}

// URL is the fake's base URL, for sms.twilio_base_url.
func (f *twilioFake) URL() string { return f.url }

// AppEnv is the environment that points a starter app at the fake.
func (f *twilioFake) AppEnv() []string {
	return []string{
		"REGSTACK_SMS__BACKEND=twilio",
		"REGSTACK_SMS__TWILIO_BASE_URL=" + f.url,
		"REGSTACK_SMS__TWILIO_ACCOUNT_SID=" + f.AccountSID,
		"REGSTACK_SMS__TWILIO_AUTH_TOKEN=" + f.AuthToken,
		"REGSTACK_SMS__FROM_NUMBER=" + f.From,
	}
}

// messages returns the messages accepted for the number to, oldest first
// ("" for every number).
func (f *twilioFake) messages(to string) []twilioMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []twilioMessage
	for _, m := range f.msgs {
		if to == "" || m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// rejections is the number of requests the fake refused (bad
// credentials, bad parameters).
func (f *twilioFake) rejections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rejected
}

// waitFor returns the oldest message to the number that no earlier
// waitFor returned, waiting up to twilioWait for it; it fails the test
// when none comes.
func (f *twilioFake) waitFor(t testing.TB, to string) twilioMessage {
	t.Helper()
	deadline := time.NewTimer(twilioWait)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		for i, m := range f.msgs {
			if !f.claimed[i] && m.To == to {
				f.claimed[i] = true
				f.mu.Unlock()
				return m
			}
		}
		arrived := f.arrived
		f.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("fake Twilio: no message to %s within %v (%d accepted: %v, %d refused)",
				to, twilioWait, len(f.messages("")), f.messages(""), f.rejections())
			return twilioMessage{}
		}
	}
}

// twilioCodePattern is the code in a message: the first run of 4 to 10
// digits on its first line (the last line repeats it for WebOTP).
var twilioCodePattern = regexp.MustCompile(`\b(\d{4,10})\b`)

// twilioCode returns the code m carries, failing the test when it has none.
func twilioCode(t testing.TB, m twilioMessage) string {
	t.Helper()
	first, _, _ := strings.Cut(m.Body, "\n")
	match := twilioCodePattern.FindStringSubmatch(first)
	if match == nil {
		t.Fatalf("message to %s holds no code: %q", m.To, m.Body)
	}
	return match[1]
}

// twilioE164 is what Twilio accepts as a To number here.
var twilioE164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

func (f *twilioFake) serve(w http.ResponseWriter, r *http.Request) {
	path := "/2010-04-01/Accounts/" + f.AccountSID + "/Messages.json"
	if !strings.HasPrefix(r.URL.Path, "/2010-04-01/Accounts/") {
		f.fail(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	sid, pass, ok := r.BasicAuth()
	if !ok || sid != f.AccountSID || pass != f.AuthToken {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		f.fail(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.URL.Path != path {
		f.fail(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if r.Method != http.MethodPost {
		f.fail(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		f.fail(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	}
	if err := r.ParseForm(); err != nil {
		f.fail(w, http.StatusBadRequest, 20001, "Invalid parameters")
		return
	}
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	switch {
	case to == "":
		f.fail(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case !twilioE164.MatchString(to):
		f.fail(w, http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: "+to)
		return
	case from == "":
		f.fail(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case body == "":
		f.fail(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	now := time.Now().UTC()
	m := twilioMessage{SID: "SM" + twilioHex(16), To: to, From: from, Body: body, Received: now}
	f.mu.Lock()
	f.msgs = append(f.msgs, m)
	f.claimed = append(f.claimed, false)
	close(f.arrived)
	f.arrived = make(chan struct{})
	f.mu.Unlock()

	date := now.Format(time.RFC1123Z)
	uri := "/2010-04-01/Accounts/" + f.AccountSID + "/Messages/" + m.SID
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid":           f.AccountSID,
		"api_version":           "2010-04-01",
		"body":                  body,
		"date_created":          date,
		"date_sent":             nil,
		"date_updated":          date,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  from,
		"messaging_service_sid": nil,
		"num_media":             "0",
		"num_segments":          "1",
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.SID,
		"status":                "queued",
		"subresource_uris":      map[string]string{"media": uri + "/Media.json"},
		"to":                    to,
		"uri":                   uri + ".json",
	})
}

// fail answers with Twilio's error document.
func (f *twilioFake) fail(w http.ResponseWriter, status, code int, message string) {
	f.mu.Lock()
	f.rejected++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

// twilioHex is n random bytes in hex (SIDs, tokens).
func twilioHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// TestTwilioFake checks the fake against what the real API does with the
// same requests: 201 and the message resource for a good one, 401 and
// error 20003 for wrong credentials, 400 and the parameter's error code
// for a missing one; waitFor hands out each message once.
func TestTwilioFake(t *testing.T) {
	tw := startTwilioFake(t)
	post := func(sid, token string, form map[string]string) (int, map[string]any) {
		t.Helper()
		vals := make([]string, 0, len(form))
		for k, v := range form {
			vals = append(vals, k+"="+strings.ReplaceAll(v, "+", "%2B"))
		}
		req, err := http.NewRequest(http.MethodPost, tw.URL()+"/2010-04-01/Accounts/"+sid+"/Messages.json", strings.NewReader(strings.Join(vals, "&")))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(sid, token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		return resp.StatusCode, doc
	}
	msg := map[string]string{"To": "+14155552671", "From": tw.From, "Body": "Your code is 123456"}

	status, doc := post(tw.AccountSID, "wrong", msg)
	if status != http.StatusUnauthorized || doc["code"] != float64(20003) || doc["status"] != float64(401) ||
		doc["more_info"] != "https://www.twilio.com/docs/errors/20003" || doc["message"] == "" {
		t.Errorf("wrong token: %d %v, want 401 with error 20003", status, doc)
	}
	status, doc = post(tw.AccountSID, tw.AuthToken, map[string]string{"From": tw.From, "Body": "x"})
	if status != http.StatusBadRequest || doc["code"] != float64(21604) {
		t.Errorf("no To: %d %v, want 400 with error 21604", status, doc)
	}
	status, doc = post(tw.AccountSID, tw.AuthToken, msg)
	if status != http.StatusCreated || doc["status"] != "queued" || doc["to"] != "+14155552671" || doc["from"] != tw.From ||
		doc["body"] != "Your code is 123456" || !strings.HasPrefix(fmt.Sprint(doc["sid"]), "SM") || doc["account_sid"] != tw.AccountSID {
		t.Errorf("good message: %d %v, want 201 and the queued message", status, doc)
	}
	if got := tw.rejections(); got != 2 {
		t.Errorf("%d rejections counted, want 2", got)
	}
	if m := tw.waitFor(t, "+14155552671"); twilioCode(t, m) != "123456" || m.From != tw.From {
		t.Errorf("waitFor: %+v", m)
	}
	if n := len(tw.messages("+14155552671")); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
}
