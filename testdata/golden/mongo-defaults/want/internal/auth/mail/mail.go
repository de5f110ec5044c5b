// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package mail composes the account system's emails from templates and
// sends them, either to the log (Console, for development) or through an
// SMTP server (SMTP). Anything with a Send method can stand in for both.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"example.com/demo/internal/auth/config"
)

// Message is one email. From is a header value ("Name <addr>" or "addr");
// To is a bare address. Text is required; HTML is an optional alternative.
type Message struct {
	From, To, Subject, Text, HTML string
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is wrapped by Send when a message cannot be sent as
// given: a bad address, or a line break in a header (which would let the
// value inject headers of its own).
var ErrInvalidMessage = errors.New("mail: invalid message")

// NewSender returns the Sender that cfg.Backend names. Choosing the console
// backend logs a warning once: nothing is delivered, and the log receives
// every emailed link, live tokens included.
func NewSender(cfg config.EmailConfig, logger *slog.Logger) (Sender, error) {
	switch cfg.Backend {
	case "", "console":
		if logger != nil {
			logger.Warn("email backend is console: emails are logged, not sent, and the log gets their links (live tokens); use smtp in production")
		}
		return &Console{Logger: logger, LogBodies: cfg.LogBodies}, nil
	case "smtp":
		if cfg.SMTPHost == "" {
			return nil, errors.New("mail: email.smtp_host is required for the SMTP backend")
		}
		timeout := time.Duration(cfg.SMTPTimeoutSeconds) * time.Second
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		return &SMTP{
			Host:     cfg.SMTPHost,
			Port:     cfg.SMTPPort,
			StartTLS: cfg.SMTPStartTLS,
			Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword,
			Timeout:  timeout,
		}, nil
	}
	return nil, fmt.Errorf("mail: unknown email backend %q (use console or smtp)", cfg.Backend)
}

// addresses checks m's headers and returns the parsed sender and recipient.
func (m Message) addresses() (from, to *mail.Address, err error) {
	for _, h := range []struct{ name, value string }{{"From", m.From}, {"To", m.To}, {"Subject", m.Subject}} {
		if strings.ContainsAny(h.value, "\r\n") {
			return nil, nil, fmt.Errorf("%w: line break in %s header", ErrInvalidMessage, h.name)
		}
	}
	if from, err = mail.ParseAddress(m.From); err != nil {
		return nil, nil, fmt.Errorf("%w: From %q: %v", ErrInvalidMessage, m.From, err)
	}
	if to, err = mail.ParseAddress(m.To); err != nil {
		return nil, nil, fmt.Errorf("%w: To %q: %v", ErrInvalidMessage, m.To, err)
	}
	return from, to, nil
}
