// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"example.com/demo/internal/auth/mail"
)

// Limits of background delivery. Mail goes out after the response so that
// neither the response time nor its body reveals whether an address has an
// account; these bound what a flood of requests that mail a link can cost.
const (
	mailConcurrency = 8
	mailQueueLimit  = 1000
	// mailTimeout bounds one send for a Sender without a bound of its own
	// (the SMTP sender stops after email.smtp_timeout_seconds).
	mailTimeout = 2 * time.Minute
	// mailCloseWait is the longest Close waits for queued mail; with SMTP
	// it waits at most smtp_timeout_seconds if that is shorter. A dead mail
	// server must not hold up a shutdown (orchestrators kill a process that
	// takes too long, and a deploy waits for it).
	mailCloseWait = 10 * time.Second
	// mailAbandonWait is how long Close gives sends to return after it has
	// cancelled them; a Sender that ignores its context is left behind.
	mailAbandonWait = time.Second
)

// mailer composes and sends emails in the background. A message that is
// never sent (the queue is full, the system is shutting down, or Close gave
// up waiting) is logged, without its link, and counted: it is never lost
// silently.
type mailer struct {
	composer *mail.Composer
	sender   mail.Sender
	logger   *slog.Logger
	slots    chan struct{}
	limit    int           // most messages queued or in flight
	wait     time.Duration // longest close waits

	// ctx is cancelled when close stops waiting: sends in flight abort and
	// queued ones are dropped.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	pending int
	wg      sync.WaitGroup

	dropped atomic.Int64 // never attempted
	failed  atomic.Int64 // attempted, and the sender reported an error
}

func newMailer(c *mail.Composer, s mail.Sender, logger *slog.Logger) *mailer {
	ctx, cancel := context.WithCancel(context.Background())
	return &mailer{
		composer: c, sender: s, logger: logger,
		slots:  make(chan struct{}, mailConcurrency),
		limit:  mailQueueLimit,
		wait:   closeWait(s),
		ctx:    ctx,
		cancel: cancel,
	}
}

// closeWait is mailCloseWait, or the sender's own bound on one send when
// that is shorter (the SMTP sender's smtp_timeout_seconds).
func closeWait(s mail.Sender) time.Duration {
	if b, ok := s.(interface{ MaxSendTime() time.Duration }); ok {
		if d := b.MaxSendTime(); d > 0 && d < mailCloseWait {
			return d
		}
	}
	return mailCloseWait
}

// send queues one email of the given kind. It never blocks the request and
// never fails it: a delivery problem is logged (without the link, which
// holds a credential).
func (m *mailer) send(kind, to string, data mail.Data) {
	m.mu.Lock()
	if m.closed || m.pending >= m.limit {
		reason := "queue full"
		if m.closed {
			reason = "shutting down"
		}
		m.mu.Unlock()
		m.drop(kind, to, reason)
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
		select {
		case m.slots <- struct{}{}:
		case <-m.ctx.Done():
			m.dropped.Add(1) // close has logged the count
			return
		}
		defer func() { <-m.slots }()
		if m.ctx.Err() != nil { // both select cases were ready
			m.dropped.Add(1)
			return
		}
		m.deliver(kind, to, data)
	}()
}

// drop logs and counts a message that will not be sent.
func (m *mailer) drop(kind, to, reason string) {
	n := m.dropped.Add(1)
	m.logger.Error("auth: email dropped", "kind", kind, "to", to, "reason", reason, "dropped_total", n)
}

func (m *mailer) deliver(kind, to string, data mail.Data) {
	msg, err := m.composer.Compose(kind, to, data)
	if err != nil {
		m.failed.Add(1)
		m.logger.Error("auth: compose email", "kind", kind, "to", to, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(m.ctx, mailTimeout)
	defer cancel()
	if err := m.sender.Send(ctx, msg); err != nil {
		if m.ctx.Err() != nil {
			m.dropped.Add(1) // cut off by close, which has logged the count
			return
		}
		m.failed.Add(1)
		m.logger.Error("auth: send email", "kind", kind, "to", to, "err", err)
	}
}

// close stops accepting mail and waits for what is queued to be sent, at
// most m.wait. Then it cancels what is left, logs how many messages that
// drops, and returns.
func (m *mailer) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	defer m.cancel()

	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(m.wait)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
	}
	m.mu.Lock()
	left := m.pending
	m.mu.Unlock()
	m.cancel()
	m.logger.Error("auth: stopped waiting for background email; unsent messages dropped",
		"dropped", left, "waited", m.wait.String())
	select {
	case <-done:
	case <-time.After(mailAbandonWait):
		// A Sender that ignores its context: leave it rather than hang.
	}
}

// stats returns how many messages were dropped without being attempted
// and how many failed, since the mailer started.
func (m *mailer) stats() (dropped, failed int64) {
	return m.dropped.Load(), m.failed.Load()
}
