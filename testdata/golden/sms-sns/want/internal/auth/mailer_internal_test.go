// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth/mail"
)

// syncBuffer is a log destination safe for the mailer's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testMailer(t *testing.T, s mail.Sender) (*mailer, *syncBuffer) {
	t.Helper()
	c, err := mail.NewComposer(nil, "Acme", "noreply@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	return newMailer(c, s, slog.New(slog.NewTextHandler(logs, nil))), logs
}

// deadSMTP listens on 127.0.0.1, accepts connections and never says a word,
// like a mail server that hangs.
func deadSMTP(t *testing.T) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	port, _ = strconv.Atoi(p)
	return h, port
}

// TestDeadSMTPServerCannotHoldClose: a server that accepts and never
// answers costs a send at most smtp_timeout_seconds, and Close waits no
// longer than that either.
func TestDeadSMTPServerCannotHoldClose(t *testing.T) {
	t.Parallel()
	host, port := deadSMTP(t)
	timeout := 300 * time.Millisecond
	m, logs := testMailer(t, &mail.SMTP{Host: host, Port: port, Timeout: timeout})
	if m.wait != timeout {
		t.Fatalf("close waits %v, want the SMTP timeout %v", m.wait, timeout)
	}
	m.send(mail.KindVerification, "ann@acme.example", mail.Data{URL: "https://acme.example/verify?token=SECRET", TTLMinutes: 30})
	start := time.Now()
	m.close()
	if elapsed := time.Since(start); elapsed > timeout+mailAbandonWait+time.Second {
		t.Fatalf("close took %v with a dead SMTP server (timeout %v)", elapsed, timeout)
	}
	if dropped, failed := m.stats(); dropped+failed != 1 {
		t.Fatalf("dropped %d, failed %d; want the one message counted", dropped, failed)
	}
	if strings.Contains(logs.String(), "SECRET") {
		t.Fatalf("a token reached the log: %s", logs)
	}

	// A send alone is bounded by the timeout too (dial and conversation
	// together).
	start = time.Now()
	err := (&mail.SMTP{Host: host, Port: port, Timeout: timeout}).Send(context.Background(),
		mail.Message{From: "noreply@acme.example", To: "ann@acme.example", Subject: "x", Text: "y"})
	if err == nil {
		t.Fatal("send to a silent server succeeded")
	}
	if elapsed := time.Since(start); elapsed > timeout+500*time.Millisecond {
		t.Fatalf("send took %v with a %v timeout", elapsed, timeout)
	}
}

// stuckSender blocks every send until its context ends.
type stuckSender struct{ started chan struct{} }

func (s *stuckSender) Send(ctx context.Context, _ mail.Message) error {
	s.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// TestMailerCloseIsBoundedAndCountsDrops: Close gives up after its wait,
// cancels what is in flight, drops what is queued, and says how many.
func TestMailerCloseIsBoundedAndCountsDrops(t *testing.T) {
	t.Parallel()
	s := &stuckSender{started: make(chan struct{}, 100)}
	m, logs := testMailer(t, s)
	if m.wait != mailCloseWait {
		t.Fatalf("close waits %v for a sender without a bound, want %v", m.wait, mailCloseWait)
	}
	m.wait = 200 * time.Millisecond
	total := mailConcurrency + 3 // some in flight, some queued
	for i := range total {
		m.send(mail.KindVerification, "u"+strconv.Itoa(i)+"@acme.example", mail.Data{URL: "https://acme.example/verify?token=SECRET"})
	}
	for range mailConcurrency {
		<-s.started
	}
	start := time.Now()
	m.close()
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("close took %v", elapsed)
	}
	if dropped, failed := m.stats(); dropped != int64(total) || failed != 0 {
		t.Fatalf("dropped %d, failed %d; want %d dropped", dropped, failed, total)
	}
	if out := logs.String(); !strings.Contains(out, "dropped="+strconv.Itoa(total)) || strings.Contains(out, "SECRET") {
		t.Fatalf("close log should count %d drops and hold no token: %s", total, out)
	}

	// After close, a message is dropped with a log line, not lost silently.
	m.send(mail.KindVerification, "late@acme.example", mail.Data{URL: "https://acme.example/verify?token=SECRET"})
	if dropped, _ := m.stats(); dropped != int64(total)+1 {
		t.Fatalf("send after close: dropped %d", dropped)
	}
	if out := logs.String(); !strings.Contains(out, "reason=\"shutting down\"") || strings.Contains(out, "SECRET") {
		t.Fatalf("drop after close not logged (or logged a token): %s", out)
	}
}

// TestMailerQueueFullIsCounted: beyond the queue limit a message is
// dropped, logged and counted.
func TestMailerQueueFullIsCounted(t *testing.T) {
	t.Parallel()
	s := &stuckSender{started: make(chan struct{}, 100)}
	m, logs := testMailer(t, s)
	m.limit = 2
	m.wait = 100 * time.Millisecond
	for range 3 {
		m.send(mail.KindVerification, "ann@acme.example", mail.Data{URL: "https://acme.example/verify?token=SECRET"})
	}
	if dropped, _ := m.stats(); dropped != 1 {
		t.Fatalf("dropped %d, want 1", dropped)
	}
	if out := logs.String(); !strings.Contains(out, `reason="queue full"`) || strings.Contains(out, "SECRET") {
		t.Fatalf("full queue not logged (or logged a token): %s", out)
	}
	m.close()
}

// TestMailerDeliversBeforeClose: the bound does not cut short a healthy
// sender; Close still waits for queued mail.
func TestMailerDeliversBeforeClose(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	s := senderFunc(func(_ context.Context, msg mail.Message) error {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, msg.To)
		return nil
	})
	m, _ := testMailer(t, s)
	for i := range 20 {
		m.send(mail.KindVerification, "u"+strconv.Itoa(i)+"@acme.example", mail.Data{URL: "https://acme.example/r?token=t"})
	}
	m.close()
	if len(got) != 20 {
		t.Fatalf("%d of 20 messages delivered before close returned", len(got))
	}
	if dropped, failed := m.stats(); dropped != 0 || failed != 0 {
		t.Fatalf("dropped %d, failed %d", dropped, failed)
	}
	failing, logs := testMailer(t, senderFunc(func(context.Context, mail.Message) error { return errors.New("550 no") }))
	failing.send(mail.KindVerification, "ann@acme.example", mail.Data{URL: "https://acme.example/r?token=SECRET"})
	failing.close()
	if _, failed := failing.stats(); failed != 1 || strings.Contains(logs.String(), "SECRET") {
		t.Fatalf("failed %d; log %s", failed, logs)
	}
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }
