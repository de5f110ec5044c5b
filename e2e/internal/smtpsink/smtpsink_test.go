package smtpsink

import (
	"bufio"
	"context"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func startSink(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A multipart/alternative message with a quoted-printable text part, a
// base64 HTML part, an encoded subject and a line that needs dot-stuffing.
const alternative = "From: Demo <noreply@example.com>\r\n" +
	"To: alice@example.com\r\n" +
	"Subject: =?utf-8?q?Confirm_your_email_=E2=80=94_Demo?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Open http://127.0.0.1:8000/verify?token=3DabcDEF_-123 to confirm. This line is long enough that it wr=\r\n" +
	"aps softly.\r\n" +
	".leading dot survives\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+PGEgaHJlZj0iaHR0cDovLzEyNy4wLjAuMTo4MDAwL3ZlcmlmeT90b2tlbj1hYmNERUZfLTEy\r\n" +
	"MyI+Q29uZmlybTwvYT48L3A+\r\n" +
	"--b1--\r\n"

func TestSMTPClientConversation(t *testing.T) {
	s := startSink(t)
	if err := smtp.SendMail(s.Addr(), nil, "noreply@example.com", []string{"alice@example.com", "bob@example.com"}, []byte(alternative)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := s.Next(ctx, "ALICE@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m.ParseErr != nil {
		t.Fatalf("ParseErr: %v", m.ParseErr)
	}
	if m.EnvelopeFrom != "noreply@example.com" || len(m.EnvelopeTo) != 2 {
		t.Errorf("envelope = %q → %q", m.EnvelopeFrom, m.EnvelopeTo)
	}
	if m.Subject != "Confirm your email — Demo" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.ContentType != "multipart/alternative" {
		t.Errorf("ContentType = %q", m.ContentType)
	}
	wantText := "Open http://127.0.0.1:8000/verify?token=abcDEF_-123 to confirm. This line is long enough that it wraps softly.\n.leading dot survives"
	if m.Text != wantText {
		t.Errorf("Text = %q\nwant %q", m.Text, wantText)
	}
	if m.HTML != `<p><a href="http://127.0.0.1:8000/verify?token=abcDEF_-123">Confirm</a></p>` {
		t.Errorf("HTML = %q", m.HTML)
	}
	// The CRLF before a boundary belongs to the boundary, hence no final
	// newline above. The same message is also Bob's; Alice's copy is taken.
	if _, err := s.Next(ctx, "bob@example.com"); err != nil {
		t.Errorf("bob: %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := s.Next(short, "alice@example.com"); err == nil {
		t.Error("Next returned the same message twice")
	}
	if errs := s.ProtocolErrors(); len(errs) != 0 {
		t.Errorf("protocol errors: %v", errs)
	}
}

func TestNextWaitsForLateMessage(t *testing.T) {
	s := startSink(t)
	done := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		done <- smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"late@example.com"},
			[]byte("Subject: hi\r\n\r\nplain body\r\n"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := s.Next(ctx, "late@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m.Text != "plain body\n" || m.ContentType != "text/plain" || m.Subject != "hi" {
		t.Errorf("got %+v", m)
	}
}

// TestRawConversation drives the commands a library client does not use
// (HELO, RSET, NOOP, out-of-order commands) over a bare connection.
func TestRawConversation(t *testing.T) {
	s := startSink(t)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	expect := func(send, wantPrefix string) {
		t.Helper()
		if send != "" {
			if _, err := c.Write([]byte(send + "\r\n")); err != nil {
				t.Fatal(err)
			}
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", send, err)
		}
		if !strings.HasPrefix(line, wantPrefix) {
			t.Fatalf("after %q: got %q, want prefix %q", send, line, wantPrefix)
		}
	}
	expect("", "220 ")
	expect("MAIL FROM:<x@example.com>", "503 ")
	expect("HELO client", "250 ")
	expect("RCPT TO:<y@example.com>", "503 ")
	expect("MAIL FROM:<x@example.com>", "250 ")
	expect("RCPT TO:<y@example.com>", "250 ")
	expect("RSET", "250 ")
	expect("DATA", "503 ")
	expect("NOOP", "250 ")
	expect("MAIL FROM:<>", "250 ")
	expect("RCPT TO:<z@example.com>", "250 ")
	expect("DATA", "354 ")
	expect("Subject: raw\r\n\r\n..dot\r\n.", "250 ")
	expect("BOGUS", "502 ")
	expect("QUIT", "221 ")

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	if got := msgs[0]; got.Text != ".dot\n" || len(got.EnvelopeTo) != 1 || got.EnvelopeTo[0] != "z@example.com" || got.EnvelopeFrom != "" {
		t.Errorf("message = %+v", got)
	}
	if n := len(s.ProtocolErrors()); n != 3 {
		t.Errorf("protocol errors = %v, want the three out-of-order commands", s.ProtocolErrors())
	}
}

func TestCloseIsIdempotentAndDropsClients(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung with an idle client connected")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
