// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth/sms"
)

// smsWait is how long WaitFor and Code wait for a text message: like mail,
// it may be sent after the response.
const smsWait = 5 * time.Second

// Phones is an sms.Sender that keeps every text message instead of sending
// it, so a test can read the codes. It is safe for concurrent use.
type Phones struct {
	mu      sync.Mutex
	msgs    []sms.Message
	claimed []bool
	fail    error
}

var _ sms.Sender = (*Phones)(nil)

// Send records m. It refuses what a real sender would refuse without
// contacting anyone (sms.Null's checks), so a test cannot pass on a
// malformed number.
func (p *Phones) Send(ctx context.Context, m sms.Message) error {
	if err := (sms.Null{}).Send(ctx, m); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.msgs = append(p.msgs, m)
	p.claimed = append(p.claimed, false)
	return nil
}

// Fail makes every later Send return err without recording the message,
// as a provider that is down or refuses the message would; Fail(nil)
// delivers again.
func (p *Phones) Fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

// Messages returns every message sent so far, oldest first.
func (p *Phones) Messages() []sms.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sms.Message(nil), p.msgs...)
}

// To returns the messages sent so far to the number, oldest first.
func (p *Phones) To(number string) []sms.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []sms.Message
	for _, m := range p.msgs {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// Reset forgets every message.
func (p *Phones) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs, p.claimed = nil, nil
}

// WaitFor returns the oldest message to the number that no earlier WaitFor
// or Code call returned, waiting up to five seconds for it to arrive. It
// fails the test when none comes.
func (p *Phones) WaitFor(t testing.TB, number string) sms.Message {
	t.Helper()
	deadline := time.Now().Add(smsWait)
	for {
		if m, ok := p.claim(number); ok {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("no text message to %s within %v (%d message(s) to %v)", number, smsWait, len(p.Messages()), p.numbers())
			return sms.Message{}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Code returns the code of the newest message to the number that no
// earlier WaitFor or Code call returned (waiting for one like WaitFor),
// and marks every older one returned too: a test wants the code that is
// valid now. It fails the test when the message holds no code.
func (p *Phones) Code(t testing.TB, number string) string {
	t.Helper()
	p.WaitFor(t, number)
	m := p.claimNewest(number)
	code := CodeOf(m)
	if code == "" {
		t.Fatalf("text message to %s holds no code: %q", number, m.Body)
	}
	return code
}

// smsCode is a one-time code: a whole run of 4 to 10 digits.
var smsCode = regexp.MustCompile(`\b(\d{4,10})\b`)

// originBoundCode is the last line of a message, "@host #code"
// (https://wicg.github.io/sms-one-time-codes/).
var originBoundCode = regexp.MustCompile(`^@\S+ #(\d{4,10})$`)

// CodeOf returns the code of m, or "" when there is none: the code of the
// origin-bound last line when there is one (it holds nothing else, so an
// application name with digits cannot be mistaken for the code), else the
// first code-like number of the first line.
func CodeOf(m sms.Message) string {
	lines := strings.Split(strings.TrimSpace(m.Body), "\n")
	if match := originBoundCode.FindStringSubmatch(strings.TrimSpace(lines[len(lines)-1])); match != nil {
		return match[1]
	}
	if match := smsCode.FindStringSubmatch(lines[0]); match != nil {
		return match[1]
	}
	return ""
}

func (p *Phones) claim(number string) (sms.Message, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, m := range p.msgs {
		if !p.claimed[i] && m.To == number {
			p.claimed[i] = true
			return m, true
		}
	}
	return sms.Message{}, false
}

// claimNewest marks every message to the number as returned and returns
// the newest; the caller has made sure there is one.
func (p *Phones) claimNewest(number string) sms.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	var newest sms.Message
	for i, m := range p.msgs {
		if m.To == number {
			p.claimed[i] = true
			newest = m
		}
	}
	return newest
}

func (p *Phones) numbers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.msgs))
	for _, m := range p.msgs {
		out = append(out, m.To)
	}
	return out
}
