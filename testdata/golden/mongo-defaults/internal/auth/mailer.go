// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"example.com/demo/internal/auth/mail"
)

// Limits of background delivery. Mail goes out after the response so that
// neither the response time nor its body reveals whether an address has an
// account; these bound what a flood of forgot-password requests can cost.
const (
	mailConcurrency = 8
	mailQueueLimit  = 1000
	mailTimeout     = 2 * time.Minute
)

// mailer composes and sends emails in the background.
type mailer struct {
	composer *mail.Composer
	sender   mail.Sender
	logger   *slog.Logger
	slots    chan struct{}

	mu      sync.Mutex
	closed  bool
	pending int
	wg      sync.WaitGroup
}

func newMailer(c *mail.Composer, s mail.Sender, logger *slog.Logger) *mailer {
	return &mailer{composer: c, sender: s, logger: logger, slots: make(chan struct{}, mailConcurrency)}
}

// send queues one email of the given kind. It never blocks the request and
// never fails it: a delivery problem is logged (without the link, which
// holds a credential).
func (m *mailer) send(kind, to string, data mail.Data) {
	m.mu.Lock()
	if m.closed || m.pending >= mailQueueLimit {
		closed := m.closed
		m.mu.Unlock()
		m.logger.Error("auth: email dropped", "kind", kind, "to", to, "closed", closed, "queued", mailQueueLimit)
		return
	}
	m.pending++
	m.wg.Add(1)
	m.mu.Unlock()
	go func() {
		defer func() {
			m.mu.Lock()
			m.pending--
			m.mu.Unlock()
			m.wg.Done()
		}()
		m.slots <- struct{}{}
		defer func() { <-m.slots }()
		m.deliver(kind, to, data)
	}()
}

func (m *mailer) deliver(kind, to string, data mail.Data) {
	msg, err := m.composer.Compose(kind, to, data)
	if err != nil {
		m.logger.Error("auth: compose email", "kind", kind, "to", to, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
	defer cancel()
	if err := m.sender.Send(ctx, msg); err != nil {
		m.logger.Error("auth: send email", "kind", kind, "to", to, "err", err)
	}
}

// close stops accepting mail and waits for what is queued to be sent.
func (m *mailer) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.wg.Wait()
}
