// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth/mail"
)

func TestClock(t *testing.T) {
	c := NewClock(Start())
	if got := c.Advance(time.Minute); !got.Equal(Start().Add(time.Minute)) || !c.Now().Equal(got) {
		t.Fatalf("Advance: %v / %v", got, c.Now())
	}
	c.Set(Start())
	if !c.Now().Equal(Start()) {
		t.Fatalf("Set: %v", c.Now())
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Advance(time.Second)
			_ = c.Now()
		}()
	}
	wg.Wait()
	if want := Start().Add(10 * time.Second); !c.Now().Equal(want) {
		t.Fatalf("after 10 concurrent advances: %v, want %v", c.Now(), want)
	}
}

func TestToken(t *testing.T) {
	cases := map[string]string{
		"Open http://x/verify?token=abc_DEF-123 to continue.": "abc_DEF-123",
		"http://x/verify?token=a%2Bb&next=/":                  "a+b",
		"line\nhttp://x/c?x=1&token=tok\nmore":                "tok",
		"no link here":                                        "",
	}
	for text, want := range cases {
		if got := Token(mail.Message{Text: text}); got != want {
			t.Errorf("Token(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestMailboxWaitForClaimsInOrder(t *testing.T) {
	var b Mailbox
	ctx := context.Background()
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = b.Send(ctx, mail.Message{To: "Alice <alice@example.com>", Subject: "first"})
		_ = b.Send(ctx, mail.Message{To: "bob@example.com", Subject: "other"})
		_ = b.Send(ctx, mail.Message{To: "ALICE@example.com", Subject: "second"})
	}()
	if m := b.WaitFor(t, "alice@example.com"); m.Subject != "first" {
		t.Fatalf("first WaitFor got %q", m.Subject)
	}
	if m := b.WaitFor(t, "alice@example.com"); m.Subject != "second" {
		t.Fatalf("second WaitFor got %q", m.Subject)
	}
	if n := len(b.To("alice@example.com")); n != 2 {
		t.Fatalf("To: %d messages, want 2", n)
	}
	if n := len(b.Messages()); n != 3 {
		t.Fatalf("Messages: %d, want 3", n)
	}
	b.Reset()
	if n := len(b.Messages()); n != 0 {
		t.Fatalf("after Reset: %d messages", n)
	}
}
