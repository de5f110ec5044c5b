// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"example.com/demo/internal/auth/config"
)

const from = "Acme Accounts <noreply@acme.example>"

func composer(t *testing.T, overrides fstest.MapFS) *Composer {
	t.Helper()
	// A nil MapFS must reach NewComposer as a nil fs.FS, not a typed nil.
	var c *Composer
	var err error
	if overrides == nil {
		c, err = NewComposer(nil, "Acme", from)
	} else {
		c, err = NewComposer(overrides, "Acme", from)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// composeCase is one kind of email composed from the built-in templates:
// its subject, and text that must appear in each body.
type composeCase struct {
	kind, subject string
	data          Data
	text, html    []string
}

// linkURL is the link the cases mail; its token must survive composing.
const linkURL = "https://acme.example/account/verify?token=abc_DEF-123&x=1"

func TestComposeEveryKind(t *testing.T) {
	c := composer(t, nil)
	url := linkURL
	tests := []composeCase{
		{
			KindVerification, "Confirm your Acme account",
			Data{FullName: "Ann", URL: url},
			[]string{"Hello,\n", "Thanks for signing up to Acme. Please confirm your email address by visiting the link below:", "  " + url + "\n", "If you didn't create an account, you can safely ignore this email — the link will expire automatically."},
			[]string{"Confirm my account", `href="https://acme.example/account/verify?token=abc_DEF-123&amp;x=1"`},
		},
		{
			KindEmailChange, "Confirm your new Acme email address",
			Data{URL: url, TTLMinutes: 1},
			[]string{"Someone — hopefully you — asked to change the email address on your Acme account to this one. Use the link below to confirm. It is valid for 1 minute.", "  " + url + "\n", "If you didn't request this change, ignore this email — your address won't change."},
			[]string{"Confirm new email", "valid for 1 minute."},
		},
		{
			KindEmailChanged, "Your Acme email address was changed",
			Data{FullName: "Ann", PreviousEmail: "old@acme.example", NewEmail: "new@acme.example"},
			[]string{"Hi Ann,", "was changed from old@acme.example to new@acme.example", "If you didn't, someone else may have access to your account. Contact Acme support right away, and if you can still sign in, change your password."},
			[]string{"<strong>old@acme.example</strong>", "<strong>new@acme.example</strong>", "Contact Acme support"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) { tt.check(t, c) })
	}
}

// check composes the case's kind with c and compares the result.
func (tt composeCase) check(t *testing.T, c *Composer) {
	t.Helper()
	m, err := c.Compose(tt.kind, "ann@acme.example", tt.data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != tt.subject || m.From != from || m.To != "ann@acme.example" {
		t.Fatalf("message = %q from %q to %q", m.Subject, m.From, m.To)
	}
	for _, want := range tt.text {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range tt.html {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML body lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.Text, "<no value>") || strings.Contains(m.HTML, "<no value>") {
		t.Error("a template printed <no value>")
	}
	if tt.data.URL != "" {
		// The token must be extractable from the text body the way
		// clients and tests do it.
		if got := regexp.MustCompile(`token=([^&\s]+)`).FindStringSubmatch(m.Text); got == nil || got[1] != "abc_DEF-123" {
			t.Errorf("token not found in text body: %v", got)
		}
	}
}

func TestComposeEmailChangedWithLink(t *testing.T) {
	c := composer(t, nil)
	m, err := c.Compose(KindEmailChanged, "old@acme.example", Data{PreviousEmail: "old@acme.example", NewEmail: "new@acme.example", URL: "https://acme.example/account/login"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "change your password.\n\n  https://acme.example/account/login") || !strings.Contains(m.HTML, `href="https://acme.example/account/login"`) {
		t.Fatalf("link missing:\n%s\n%s", m.Text, m.HTML)
	}
}

func TestComposeEscapesHTMLOnly(t *testing.T) {
	c := composer(t, nil)
	m, err := c.Compose(KindEmailChanged, "a@acme.example", Data{FullName: `<script>alert("x")</script>`, URL: "javascript:alert(1)", PreviousEmail: "a@acme.example", NewEmail: "b@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, `href="javascript:`) {
		t.Fatalf("HTML body not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, `Hi <script>alert("x")</script>,`) {
		t.Fatalf("text body should carry the name verbatim:\n%s", m.Text)
	}
}

// TestNoUserTextToUnverifiedAddresses: the confirmation of a sign-up and
// of a new address go to an address nobody has proved to own, so they must
// not carry text the requester chose: not with the built-in templates, and
// not with overrides that ask for the name.
func TestNoUserTextToUnverifiedAddresses(t *testing.T) {
	const name = "Your account is suspended, call +1 555 0100"
	overrides := fstest.MapFS{}
	for _, kind := range []string{KindVerification, KindEmailChange} {
		overrides[kind+".subject.txt"] = &fstest.MapFile{Data: []byte("{{.FullName}} {{.AppName}}")}
		overrides[kind+".txt"] = &fstest.MapFile{Data: []byte("Hi {{.FullName}} {{.URL}}")}
		overrides[kind+".html"] = &fstest.MapFile{Data: []byte("<p>Hi {{.FullName}} {{.URL}}</p>")}
	}
	data := Data{FullName: name, URL: "https://acme.example/x?token=t", NewEmail: "new@acme.example", PreviousEmail: "old@acme.example", TTLMinutes: 60}
	for _, c := range []*Composer{composer(t, nil), composer(t, overrides)} {
		for _, kind := range []string{KindVerification, KindEmailChange} {
			m, err := c.Compose(kind, "new@acme.example", data)
			if err != nil {
				t.Fatal(err)
			}
			for part, body := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
				if strings.Contains(body, "suspended") || strings.Contains(body, "555") {
					t.Errorf("%s %s carries the full name: %q", kind, part, body)
				}
			}
			if !strings.Contains(m.Text, "token=t") {
				t.Errorf("%s: link missing: %q", kind, m.Text)
			}
		}
	}
	// Mail to the account's own address may still greet by name.
	m, err := composer(t, nil).Compose(KindEmailChanged, "old@acme.example", data)
	if err != nil || !strings.Contains(m.Text, "Hi "+name+",") {
		t.Fatalf("email_changed: %v %q", err, m.Text)
	}
}

func TestComposeAppName(t *testing.T) {
	c := composer(t, nil)
	m, err := c.Compose(KindVerification, "a@acme.example", Data{AppName: "Other", URL: "https://x.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Confirm your Other account" {
		t.Fatalf("Data.AppName ignored: %q", m.Subject)
	}
	if _, err := c.Compose("welcome", "a@acme.example", Data{}); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

func TestOverrideReplacesOneFile(t *testing.T) {
	c := composer(t, fstest.MapFS{
		"verification.subject.txt": {Data: []byte("Welcome aboard {{.AppName}}!\n\n")},
	})
	m, err := c.Compose(KindVerification, "a@acme.example", Data{URL: "https://x.example/v?token=t"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Welcome aboard Acme!" {
		t.Fatalf("override not used: subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "Thanks for signing up to Acme.") || !strings.Contains(m.HTML, "Confirm my account") {
		t.Fatal("the bodies should still be the built-in ones")
	}
	other, err := c.Compose(KindEmailChange, "a@acme.example", Data{URL: "https://x.example/c", TTLMinutes: 30})
	if err != nil || other.Subject != "Confirm your new Acme email address" {
		t.Fatalf("other kinds changed: %q, %v", other.Subject, err)
	}

	html := composer(t, fstest.MapFS{"email_change.html": {Data: []byte(`<p>Confirm: <a href="{{.URL}}">{{.URL}}</a></p>`)}})
	m, err = html.Compose(KindEmailChange, "a@acme.example", Data{URL: "https://x.example/c?token=a&b=c", TTLMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	if m.HTML != `<p>Confirm: <a href="https://x.example/c?token=a&amp;b=c">https://x.example/c?token=a&amp;b=c</a></p>` {
		t.Fatalf("HTML override: %s", m.HTML)
	}
	if !strings.Contains(m.Text, "valid for 30 minutes") {
		t.Fatal("text body should be the built-in one")
	}
}

func TestBrokenOverrideFailsAtStartup(t *testing.T) {
	if _, err := NewComposer(fstest.MapFS{"verification.txt": {Data: []byte("Hi {{.FullName")}}, "A", from); err == nil {
		t.Fatal("unparsable override accepted")
	}
	c, err := NewComposer(fstest.MapFS{"verification.txt": {Data: []byte("Hi {{.Nickname}}")}}, "A", from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compose(KindVerification, "a@acme.example", Data{}); err == nil {
		t.Fatal("template using an unknown field rendered without error")
	}
}

func parseSent(t *testing.T, raw string) (*mail.Message, []*multipart.Part, []string) {
	t.Helper()
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Fatalf("message has bare LF line endings:\n%q", raw)
	}
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []*multipart.Part
	var bodies []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part %q is not quoted-printable", p.Header.Get("Content-Type"))
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
		bodies = append(bodies, string(body))
	}
	return msg, parts, bodies
}

func TestSMTPSend(t *testing.T) {
	srv := newTestServer(t, nil)
	longLine := strings.Repeat("long line ", 30)
	m := Message{
		From:    "Café Team <noreply@acme.example>",
		To:      "ann@acme.example",
		Subject: "Bestätigen Sie Ihr Konto",
		Text:    "Hi Ann,\n\n.a line starting with a dot\n" + longLine + "\nÜmlaut = fine\n",
		HTML:    "<p>Hi Ann</p>\n<p>" + longLine + "</p>\n",
	}
	if err := srv.sender().Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sent := srv.delivered()
	if len(sent) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(sent))
	}
	s := sent[0]
	if s.from != "<noreply@acme.example>" || len(s.to) != 1 || s.to[0] != "<ann@acme.example>" {
		t.Fatalf("envelope: MAIL FROM %q, RCPT TO %q", s.from, s.to)
	}
	if s.authUser != "" || s.tls {
		t.Fatalf("unexpected AUTH (%q) or TLS (%v)", s.authUser, s.tls)
	}
	if got := strings.Join(s.commands, " "); got != "EHLO MAIL RCPT DATA QUIT" {
		t.Fatalf("conversation = %s", got)
	}

	msg, parts, bodies := parseSent(t, s.data)
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Fatalf("Subject = %q (%v), raw %q", subject, err, msg.Header.Get("Subject"))
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Fatalf("non-ASCII subject not RFC 2047 encoded: %q", raw)
	}
	fromAddr, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || fromAddr.Name != "Café Team" || fromAddr.Address != "noreply@acme.example" {
		t.Fatalf("From = %q → %+v, %v", msg.Header.Get("From"), fromAddr, err)
	}
	toAddr, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil || toAddr.Address != "ann@acme.example" {
		t.Fatalf("To = %q", msg.Header.Get("To"))
	}
	if d, err := msg.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Fatalf("Date = %q, %v", msg.Header.Get("Date"), err)
	}
	if !regexp.MustCompile(`^<[0-9a-f]{32}@acme\.example>$`).MatchString(msg.Header.Get("Message-ID")) {
		t.Fatalf("Message-ID = %q", msg.Header.Get("Message-ID"))
	}
	if msg.Header.Get("MIME-Version") != "1.0" {
		t.Fatalf("MIME-Version = %q", msg.Header.Get("MIME-Version"))
	}
	if len(parts) != 2 || !strings.HasPrefix(parts[0].Header.Get("Content-Type"), "text/plain; charset=utf-8") ||
		!strings.HasPrefix(parts[1].Header.Get("Content-Type"), "text/html; charset=utf-8") {
		t.Fatalf("parts: %d, %v", len(parts), parts)
	}
	norm := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
	if norm(bodies[0]) != m.Text {
		t.Fatalf("text part\n got %q\nwant %q", bodies[0], m.Text)
	}
	if norm(bodies[1]) != m.HTML {
		t.Fatalf("html part\n got %q\nwant %q", bodies[1], m.HTML)
	}
	for _, line := range strings.Split(s.data, "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d characters", len(line))
		}
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	srv := newTestServer(t, func(s *testServer) { s.tlsConfig = serverTLS })
	sender := srv.sender()
	sender.StartTLS = true
	sender.Username, sender.Password = "mailer", "s3cret"
	sender.TLSConfig = &tls.Config{RootCAs: roots}
	m := Message{From: from, To: "ann@acme.example", Subject: "Hello", Text: "hi\n", HTML: "<p>hi</p>"}
	if err := sender.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sent := srv.delivered()
	if len(sent) != 1 || !sent[0].tls {
		t.Fatalf("message not delivered over TLS: %+v", sent)
	}
	if sent[0].authUser != "mailer" || sent[0].authPass != "s3cret" {
		t.Fatalf("AUTH PLAIN credentials = %q/%q", sent[0].authUser, sent[0].authPass)
	}
	if got := strings.Join(sent[0].commands, " "); got != "EHLO STARTTLS EHLO AUTH MAIL RCPT DATA QUIT" {
		t.Fatalf("conversation = %s", got)
	}

	// Without the CA the certificate is refused, and nothing is sent.
	sender.TLSConfig = nil
	if err := sender.Send(context.Background(), m); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	if n := len(srv.delivered()); n != 1 {
		t.Fatalf("%d deliveries after a failed handshake, want still 1", n)
	}
}

func TestSMTPStartTLSRequiredButNotOffered(t *testing.T) {
	srv := newTestServer(t, nil) // no STARTTLS
	sender := srv.sender()
	sender.StartTLS = true
	err := sender.Send(context.Background(), Message{From: from, To: "ann@acme.example", Subject: "x", Text: "secret link"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v; want a STARTTLS error", err)
	}
	if n := len(srv.delivered()); n != 0 {
		t.Fatal("message sent in clear text")
	}
	for _, c := range srv.commands() {
		if c == "MAIL" || c == "AUTH" {
			t.Fatalf("client said %s after STARTTLS was missing", c)
		}
	}
}

func TestSMTPHeaderInjectionRejected(t *testing.T) {
	srv := newTestServer(t, nil)
	base := Message{From: from, To: "ann@acme.example", Subject: "Hello", Text: "hi"}
	cases := map[string]func(*Message){
		"To":          func(m *Message) { m.To = "ann@acme.example\r\nBcc: eve@evil.example" },
		"Subject":     func(m *Message) { m.Subject = "Hello\nBcc: eve@evil.example" },
		"From":        func(m *Message) { m.From = "Acme <noreply@acme.example>\rBcc: eve@evil.example" },
		"bad To":      func(m *Message) { m.To = "not an address" },
		"bad From":    func(m *Message) { m.From = "" },
		"two To":      func(m *Message) { m.To = "a@acme.example, eve@evil.example" },
		"LF Subject":  func(m *Message) { m.Subject = "x\n" },
		"CR in To":    func(m *Message) { m.To = "ann@acme.example\r" },
		"NL in name":  func(m *Message) { m.From = "Ac\nme <noreply@acme.example>" },
		"bare CR sub": func(m *Message) { m.Subject = "a\rb" },
	}
	for name, mutate := range cases {
		m := base
		mutate(&m)
		if err := srv.sender().Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
		if err := (&Console{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s (console): err = %v, want ErrInvalidMessage", name, err)
		}
	}
	if n := srv.connections(); n != 0 {
		t.Fatalf("%d connections made for invalid messages", n)
	}
}

func TestSMTPServerErrors(t *testing.T) {
	srv := newTestServer(t, func(s *testServer) { s.rejectRcpt = true })
	err := srv.sender().Send(context.Background(), Message{From: from, To: "nobody@acme.example", Subject: "x", Text: "y"})
	if err == nil || !strings.Contains(err.Error(), "RCPT") || !strings.Contains(err.Error(), "550") {
		t.Fatalf("err = %v; want the RCPT rejection", err)
	}

	closed := newTestServer(t, nil)
	s := closed.sender()
	closed.ln.Close()
	if err := s.Send(context.Background(), Message{From: from, To: "a@acme.example", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("send to a closed port succeeded")
	}
}

func TestSMTPHonoursContext(t *testing.T) {
	srv := newTestServer(t, func(s *testServer) { s.silent = true })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := srv.sender().Send(ctx, Message{From: from, To: "a@acme.example", Subject: "x", Text: "y"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("Send took %v despite a 100ms context", elapsed)
	}

	slow := srv.sender()
	slow.Timeout = 100 * time.Millisecond
	start = time.Now()
	if err := slow.Send(context.Background(), Message{From: from, To: "a@acme.example", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("silent server: no error")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("Send took %v despite a 100ms timeout", elapsed)
	}
}

func TestTextOnlyMessage(t *testing.T) {
	srv := newTestServer(t, nil)
	if err := srv.sender().Send(context.Background(), Message{From: from, To: "a@acme.example", Subject: "x", Text: "just text\n"}); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.delivered()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if string(body) != "just text\r\n" {
		t.Fatalf("body = %q", body)
	}
}

// TestConsole: the console backend logs who, what and the links (so a
// developer can follow them with log_bodies off), and the whole body only
// with LogBodies.
func TestConsole(t *testing.T) {
	m := Message{From: from, To: "ann@acme.example", Subject: "Confirm",
		Text: "Hello,\n\nvisit https://x.example/verify?token=SECRET\n\nand https://x.example/help.\nBODY-ONLY words\n"}
	for _, logBodies := range []bool{false, true} {
		var buf bytes.Buffer
		c := &Console{Logger: slog.New(slog.NewTextHandler(&buf, nil)), LogBodies: logBodies}
		if err := c.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"level=INFO", "to=ann@acme.example", `from="Acme Accounts <noreply@acme.example>"`, "subject=Confirm",
			`links="[https://x.example/verify?token=SECRET https://x.example/help]"`} {
			if !strings.Contains(out, want) {
				t.Errorf("log %q lacks %q", out, want)
			}
		}
		if got := strings.Contains(out, "BODY-ONLY"); got != logBodies {
			t.Errorf("LogBodies=%v but body logged=%v: %s", logBodies, got, out)
		}
	}
}

func TestNewSender(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := NewSender(config.EmailConfig{Backend: "console", LogBodies: true}, logger)
	if c, ok := s.(*Console); err != nil || !ok || !c.LogBodies || c.Logger != logger {
		t.Fatalf("console: %#v, %v", s, err)
	}
	s, err = NewSender(config.EmailConfig{Backend: "smtp", SMTPHost: "mail.example.com", SMTPPort: 2525, SMTPStartTLS: true,
		SMTPUsername: "u", SMTPPassword: "p", SMTPTimeoutSeconds: 7}, logger)
	want := &SMTP{Host: "mail.example.com", Port: 2525, StartTLS: true, Username: "u", Password: "p", Timeout: 7 * time.Second}
	if sm, ok := s.(*SMTP); err != nil || !ok || *sm != *want {
		t.Fatalf("smtp: %#v, %v", s, err)
	}
	if _, err := NewSender(config.EmailConfig{Backend: "smtp"}, logger); err == nil || !strings.Contains(err.Error(), "smtp_host") {
		t.Fatalf("smtp without host: %v", err)
	}
	if _, err := NewSender(config.EmailConfig{Backend: "postmark"}, logger); err == nil || !strings.Contains(err.Error(), "unknown email backend") {
		t.Fatalf("unknown backend: %v", err)
	}
}
