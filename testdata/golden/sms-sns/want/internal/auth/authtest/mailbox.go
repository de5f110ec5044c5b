// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth/mail"
)

// mailWait is how long WaitFor waits: mail is sent in the background after
// the response, so a test must poll for it.
const mailWait = 5 * time.Second

// Mailbox is a mail.Sender that keeps every message instead of sending it.
// It is safe for concurrent use.
type Mailbox struct {
	mu      sync.Mutex
	msgs    []mail.Message
	claimed []bool
}

var _ mail.Sender = (*Mailbox)(nil)

// Send records m.
func (b *Mailbox) Send(_ context.Context, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
	b.claimed = append(b.claimed, false)
	return nil
}

// Messages returns every message sent so far, oldest first.
func (b *Mailbox) Messages() []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mail.Message(nil), b.msgs...)
}

// To returns the messages sent so far to the address (compared
// case-insensitively), oldest first.
func (b *Mailbox) To(addr string) []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []mail.Message
	for _, m := range b.msgs {
		if sameAddress(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// Reset forgets every message.
func (b *Mailbox) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs, b.claimed = nil, nil
}

// WaitFor returns the oldest message to the address that no earlier WaitFor
// call returned, waiting up to five seconds for it to arrive. It fails the
// test when none comes.
func (b *Mailbox) WaitFor(t testing.TB, to string) mail.Message {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		if m, ok := b.claim(to); ok {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s within %v (mailbox holds %d message(s) to %v)", to, mailWait, len(b.Messages()), b.recipients())
			return mail.Message{}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (b *Mailbox) claim(to string) (mail.Message, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, m := range b.msgs {
		if !b.claimed[i] && sameAddress(m.To, to) {
			b.claimed[i] = true
			return m, true
		}
	}
	return mail.Message{}, false
}

func (b *Mailbox) recipients() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.msgs))
	for _, m := range b.msgs {
		out = append(out, m.To)
	}
	return out
}

// sameAddress compares two addresses, tolerating a "Name <addr>" form.
func sameAddress(a, b string) bool {
	return strings.EqualFold(bareAddress(a), bareAddress(b))
}

func bareAddress(s string) string {
	if i := strings.LastIndex(s, "<"); i >= 0 {
		if j := strings.LastIndex(s, ">"); j > i {
			return strings.TrimSpace(s[i+1 : j])
		}
	}
	return strings.TrimSpace(s)
}

var tokenParam = regexp.MustCompile(`token=([^&\s]+)`)

// Token returns the token= parameter of the first link in the message's
// text body, or "" when there is none.
func Token(m mail.Message) string {
	match := tokenParam.FindStringSubmatch(m.Text)
	if match == nil {
		return ""
	}
	if tok, err := url.QueryUnescape(match[1]); err == nil {
		return tok
	}
	return match[1]
}
