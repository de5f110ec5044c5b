package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// sesApp is the starter generated with `--email-backend ses` (the SES
// sender and the AWS SDK in it), built once per run: binary and host folder.
var sesApp once[[2]string]

// sesStarterApp generates the SQLite starter with the SES sender and builds
// its main package, once per run.
func sesStarterApp(t testing.TB) (bin, hostDir string) {
	t.Helper()
	regstackBin := regstack(t)
	v := sesApp.get(t, func() ([2]string, error) {
		dir := filepath.Join(fx.work, "ses-sqlite")
		if out, err := run(fx.work, buildTimeout, regstackBin, "gen", "--yes", "--email-backend", "ses", "--dir", dir); err != nil {
			return [2]string{}, fmt.Errorf("regstack gen --email-backend ses: %v\n%s", err, tail(out, 80))
		}
		out := filepath.Join(fx.work, "ses-app-sqlite")
		if o, err := run(dir, buildTimeout, "go", "build", "-o", out, "."); err != nil {
			return [2]string{}, fmt.Errorf("go build -o app . (in %s): %v\n%s", dir, err, tail(o, 80))
		}
		return [2]string{out, dir}, nil
	})
	return v[0], v[1]
}

// motoRawMail is one raw message SES accepted, as moto records it.
type motoRawMail struct {
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	RawData      string   `json:"raw_data"`
}

// createEmailIdentity verifies identity (an address or a domain) in moto's
// SES, as CreateEmailIdentity of the SES v2 API; moto counts it as verified
// at once. moto does not check signatures, but it picks the service and
// region from the credential scope of the Authorization header.
func (m *motoServer) createEmailIdentity(t testing.TB, identity string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"EmailIdentity": identity})
	req, err := http.NewRequest(http.MethodPost, m.URL+"/v2/email/identities", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+time.Now().UTC().Format("20060102")+"/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("moto CreateEmailIdentity %s: %v", identity, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto CreateEmailIdentity %s: %s", identity, resp.Status)
	}
}

// rawMailsTo lists the raw messages moto's SES accepted for addr, oldest
// first. (The SES sender sends raw MIME; moto keeps a simple message's HTML
// part only, a raw one whole.)
func (m *motoServer) rawMailsTo(t testing.TB, addr string) []motoRawMail {
	t.Helper()
	var data struct {
		SES struct {
			RawMessage []motoRawMail `json:"RawMessage"`
		} `json:"ses"`
	}
	m.data(t, &data)
	var out []motoRawMail
	for _, msg := range data.SES.RawMessage {
		for _, d := range msg.Destinations {
			if strings.Contains(d, addr) {
				out = append(out, msg)
				break
			}
		}
	}
	return out
}

// waitRawMail waits for the n-th raw message to addr (1-based) and returns
// it decoded, its envelope sender being the identity SES was asked to send
// as.
func (m *motoServer) waitRawMail(t testing.TB, addr string, n int) smtpsink.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := m.rawMailsTo(t, addr); len(got) >= n {
			msg := smtpsink.Parse([]byte(got[n-1].RawData))
			if msg.ParseErr != nil {
				t.Fatalf("mail to %s from moto does not decode: %v\n%s", addr, msg.ParseErr, got[n-1].RawData)
			}
			msg.EnvelopeFrom = got[n-1].Source
			return msg
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto's SES got no mail #%d to %s within 10 s", n, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLiveEmailThroughSES runs the SES starter app as a real process with
// `[email] backend = "ses"` pointed at moto_server: the generated SES sender
// speaks the real SES v2 protocol through the AWS SDK, and the test reads
// the verification mail back from moto and follows its link. A sender SES
// has not verified is refused, and the app logs the refusal without the
// mail's token.
func TestLiveEmailThroughSES(t *testing.T) {
	m := moto(t)
	m.own(t)
	bin, host := sesStarterApp(t)
	// The SMTP settings of appEnv stay, pointed at a sink that must get
	// nothing: backend = "ses" decides.
	sink := startSink(t)
	sesEnv := func(extra ...string) []string {
		env := appEnv(t, sink, "sqlite", append([]string{
			"REGSTACK_EMAIL__BACKEND=ses",
			"REGSTACK_EMAIL__SES_ENDPOINT=" + m.URL,
			"REGSTACK_EMAIL__SES_REGION=us-east-1",
		}, extra...)...)
		return append(env, awsEnv()...)
	}

	t.Run("verified sender", func(t *testing.T) {
		// fromAddress is test@example.com; its domain is the identity.
		m.createEmailIdentity(t, "example.com")
		app := startApp(t, bin, host, sesEnv())
		const email = "ses-user@example.org"
		r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": "correct-horse-battery-1"})
		if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" {
			t.Fatalf("register: %s, want 201 pending_verification", r)
		}
		msg := m.waitRawMail(t, email, 1)
		checkMailShape(t, msg)
		if msg.Subject != "Confirm your Demo account" {
			t.Errorf("subject %q, want the verification mail's", msg.Subject)
		}
		token := linkToken(t, msg, app.BaseURL, "/verify")
		r = app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": token})
		if r.Status != http.StatusOK || r.JSON()["is_verified"] != true {
			t.Fatalf("verify with the token from SES: %s, want 200 is_verified", r)
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("%d messages went through SMTP with backend = ses", n)
		}
	})

	t.Run("unverified sender", func(t *testing.T) {
		const sender = "noreply@unverified.example"
		app := startApp(t, bin, host, sesEnv("REGSTACK_EMAIL__FROM_ADDRESS="+sender))
		const email = "ses-refused@example.org"
		r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": "correct-horse-battery-1"})
		// The mail goes out after the answer, which says nothing of it.
		if r.Status != http.StatusCreated {
			t.Fatalf("register: %s, want 201", r)
		}
		var line string
		deadline := time.Now().Add(10 * time.Second)
		for line == "" {
			for _, l := range strings.Split(app.output.String(), "\n") {
				if strings.Contains(l, "auth: send email") && strings.Contains(l, email) {
					line = l
				}
			}
			if line == "" && time.Now().After(deadline) {
				t.Fatalf("no send failure logged for %s within 10 s", email)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("logged: %s", line)
		if !strings.Contains(line, "MessageRejected") || !strings.Contains(line, sender) {
			t.Errorf("logged %q, want SES's MessageRejected naming the sender", line)
		}
		// The refused mail held a live verification link; neither it nor
		// any token reaches the log.
		if out := app.output.String(); strings.Contains(out, "token=") || strings.Contains(out, "/verify?") {
			t.Errorf("the app's log holds a link or token:\n%s", tail(out, 40))
		}
		if got := m.rawMailsTo(t, email); len(got) != 0 {
			t.Errorf("moto accepted %d mails from an unverified sender", len(got))
		}
	})
}
